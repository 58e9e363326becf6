import type { Config } from './config-types.js';

/** A setting that works but is risky where it is used: logged once at start-up, never fatal. */
export interface StartupWarning {
  setting: string;
  message: string;
}

/** The warnings a configuration deserves at start-up (none for a careful production set-up). */
export function startupWarnings(config: Pick<Config, 'env' | 'chat'>): StartupWarning[] {
  const warnings: StartupWarning[] = [];
  if (config.env === 'production' && config.chat.allowedOrigins === '*') {
    warnings.push({
      setting: 'CHAT_ALLOWED_ORIGINS',
      message:
        'CHAT_ALLOWED_ORIGINS=* in production: any website may call the customer API from its visitors\' browsers; list the sites that embed the widget (see docs/configuration.md)',
    });
  }
  return warnings;
}
