import { describe, expect, it } from 'vitest';
import { SECRET_VARIABLES } from '../src/config/env-schema.js';
import { configError, load } from './support/config-loading.js';

const MIB = 1024 * 1024;

describe('attachment settings (docs/configuration.md, "Attachments")', () => {
  it('defaults to 10 MiB a file, 100 MiB a conversation, 20 uploads a minute, in the database', () => {
    const config = load();
    expect(config.attachments).toEqual({ maxBytes: 10 * MIB, conversationMaxBytes: 100 * MIB, disk: 'database', s3: undefined });
    expect(config.rateLimits.upload).toEqual({ max: 20, windowMs: 60_000 });
  });

  it('takes decimal sizes: 0.5 MB is 512 KiB', () => {
    expect(load({ CHAT_ATTACHMENT_MAX_MB: '0.5' }).attachments.maxBytes).toBe(512 * 1024);
  });

  it('reads S3 with Laravel’s AWS_* names', () => {
    const config = load({
      CHAT_ATTACHMENT_DISK: 's3',
      AWS_BUCKET: 'chat-files',
      AWS_ENDPOINT: 'http://127.0.0.1:9000',
      AWS_USE_PATH_STYLE_ENDPOINT: 'true',
      AWS_ACCESS_KEY_ID: 'minio',
      AWS_SECRET_ACCESS_KEY: 'minio-secret-key',
    });
    expect(config.attachments.s3).toEqual({
      bucket: 'chat-files',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      accessKeyId: 'minio',
      secretAccessKey: 'minio-secret-key',
    });
  });

  it.each([
    [{ CHAT_ATTACHMENT_DISK: 's3' }, 'AWS_BUCKET'],
    [{ CHAT_ATTACHMENT_DISK: 'ftp' }, 'CHAT_ATTACHMENT_DISK'],
    [{ CHAT_ATTACHMENT_MAX_MB: '0' }, 'CHAT_ATTACHMENT_MAX_MB'],
    [{ CHAT_ATTACHMENT_MAX_MB: '500' }, 'CHAT_ATTACHMENT_MAX_MB'],
    [{ CHAT_ATTACHMENT_CONVERSATION_MAX_MB: 'lots' }, 'CHAT_ATTACHMENT_CONVERSATION_MAX_MB'],
    [{ CHAT_RATE_LIMIT_UPLOAD: '0/1m' }, 'CHAT_RATE_LIMIT_UPLOAD'],
    [{ AWS_ENDPOINT: 'minio:9000' }, 'AWS_ENDPOINT'],
    [{ AWS_SECRET_ACCESS_KEY: 'secret-without-id' }, 'AWS_ACCESS_KEY_ID'],
    [{ AWS_ACCESS_KEY_ID: 'id-without-secret' }, 'AWS_SECRET_ACCESS_KEY'],
  ])('%o fails naming %s', (env, name) => {
    expect(configError(env).problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('never repeats the AWS keys in an error', () => {
    expect(SECRET_VARIABLES.has('AWS_SECRET_ACCESS_KEY')).toBe(true);
    expect(SECRET_VARIABLES.has('AWS_ACCESS_KEY_ID')).toBe(true);
    const message = configError({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: 'x', AWS_USE_PATH_STYLE_ENDPOINT: 'maybe' }).message;
    expect(message).toContain('AWS_USE_PATH_STYLE_ENDPOINT');
    expect(message).not.toContain('"x"');
  });
});
