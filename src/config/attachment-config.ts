import type { Problems } from './config-error.js';
import type { RawEnv } from './env-schema.js';

/** Where attachment bytes are kept: the database (the default) or S3-compatible storage. */
export type AttachmentDisk = 'database' | 's3';

/** `AWS_*` with Laravel's names; keys absent: the AWS SDK's own chain (environment, instance role). */
export interface S3Config {
  bucket: string;
  region: string;
  /** MinIO, R2, Spaces…; absent: AWS itself. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  accessKeyId: string | undefined;
  /** Never logged and never repeated in an error message. */
  secretAccessKey: string | undefined;
}

/** The `CHAT_ATTACHMENT_*` settings (docs/configuration.md, "Attachments"). */
export interface AttachmentConfig {
  /** `CHAT_ATTACHMENT_MAX_MB` in bytes: the largest file, enforced while the upload streams in. */
  maxBytes: number;
  /** `CHAT_ATTACHMENT_CONVERSATION_MAX_MB` in bytes: what one conversation's files may take in all. */
  conversationMaxBytes: number;
  disk: AttachmentDisk;
  /** Set when `disk` is `s3`. */
  s3: S3Config | undefined;
}

const MIB = 1024 * 1024;

/** Builds the attachment settings; `CHAT_ATTACHMENT_DISK=s3` needs `AWS_BUCKET`, and the two keys go together. */
export function attachmentConfig(e: RawEnv, problems: Problems): AttachmentConfig {
  if (e.CHAT_ATTACHMENT_DISK === 's3' && e.AWS_BUCKET === undefined) problems.add('AWS_BUCKET', 'is required when CHAT_ATTACHMENT_DISK=s3');
  if (e.AWS_SECRET_ACCESS_KEY !== undefined && e.AWS_ACCESS_KEY_ID === undefined) problems.add('AWS_ACCESS_KEY_ID', 'is required when AWS_SECRET_ACCESS_KEY is set');
  if (e.AWS_ACCESS_KEY_ID !== undefined && e.AWS_SECRET_ACCESS_KEY === undefined) problems.add('AWS_SECRET_ACCESS_KEY', 'is required when AWS_ACCESS_KEY_ID is set');
  return {
    maxBytes: Math.floor(e.CHAT_ATTACHMENT_MAX_MB * MIB),
    conversationMaxBytes: Math.floor(e.CHAT_ATTACHMENT_CONVERSATION_MAX_MB * MIB),
    disk: e.CHAT_ATTACHMENT_DISK,
    s3:
      e.CHAT_ATTACHMENT_DISK === 's3'
        ? {
            bucket: e.AWS_BUCKET ?? '',
            region: e.AWS_DEFAULT_REGION,
            endpoint: e.AWS_ENDPOINT,
            forcePathStyle: e.AWS_USE_PATH_STYLE_ENDPOINT,
            accessKeyId: e.AWS_ACCESS_KEY_ID,
            secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
          }
        : undefined,
  };
}
