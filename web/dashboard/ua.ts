/** Browser and operating system from a User-Agent string: the common ones, nothing more. */
export interface ParsedUserAgent {
  browser: string;
  os: string;
}

const version = (ua: string, pattern: RegExp): string => {
  const match = pattern.exec(ua);
  return match?.[1] ? ` ${match[1].split('.')[0]}` : '';
};

function browserOf(ua: string): string {
  // Order matters: Edge and Chrome on iOS say "Safari" too, and Edge says "Chrome".
  if (/\bEdg(e|A|iOS)?\//.test(ua)) return `Edge${version(ua, /\bEdg(?:e|A|iOS)?\/([\d.]+)/)}`;
  if (/\b(Firefox|FxiOS)\//.test(ua)) return `Firefox${version(ua, /\b(?:Firefox|FxiOS)\/([\d.]+)/)}`;
  if (/\b(OPR|Opera)\//.test(ua)) return 'Other';
  if (/\b(Chrome|CriOS|Chromium)\//.test(ua)) return `Chrome${version(ua, /\b(?:Chrome|CriOS|Chromium)\/([\d.]+)/)}`;
  if (/\bSafari\//.test(ua) && /\bVersion\//.test(ua)) return `Safari${version(ua, /\bVersion\/([\d.]+)/)}`;
  return 'Other';
}

function osOf(ua: string): string {
  if (/\bWindows\b/.test(ua)) return 'Windows';
  if (/\b(iPhone|iPad|iPod)\b/.test(ua)) return 'iOS';
  if (/\bAndroid\b/.test(ua)) return 'Android';
  if (/\bMac OS X\b|\bMacintosh\b/.test(ua)) return 'macOS';
  if (/\bLinux\b|\bX11\b|\bCrOS\b/.test(ua)) return 'Linux';
  return 'Other';
}

/** `{browser: 'Chrome 120', os: 'Windows'}`; unknown parts are "Other", an empty string is "Unknown". */
export function parseUserAgent(ua: string | null | undefined): ParsedUserAgent {
  if (!ua || !ua.trim()) return { browser: 'Unknown', os: 'Unknown' };
  return { browser: browserOf(ua), os: osOf(ua) };
}
