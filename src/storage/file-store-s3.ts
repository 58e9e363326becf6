import type * as S3 from '@aws-sdk/client-s3';
import type { FileStore } from './file-store.js';

/** `AWS_*` settings (docs/deployment.md, "S3-compatible storage"). */
export interface S3FileStoreOptions {
  bucket: string;
  region: string;
  /** MinIO, Cloudflare R2 and other S3-compatible services; AWS when absent. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Without a key pair the SDK's default chain applies (environment, IAM role, …). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prepended as is to every key, e.g. `parley/`. */
  prefix?: string;
}

type Sdk = typeof S3;
type S3Client = S3.S3Client;

/** Keys one DeleteObjects request may name (the S3 API's limit). */
const DELETE_BATCH = 1000;

/**
 * Attachment bytes in an S3-compatible bucket (docs/deployment.md, "S3-compatible storage").
 * Objects are private: written with no ACL, read back only by Parley, which serves them itself.
 * A missing object answers undefined; every other failure (network, credentials, a missing
 * bucket) is thrown, so an outage is never mistaken for a deleted file. The SDK (about 20 MB
 * and 300 ms to load) is loaded on first use, so a server on the database disk never loads it.
 */
export class S3FileStore implements FileStore {
  readonly disk = 's3';
  private readonly bucket: string;
  private readonly prefix: string;
  private loaded: Promise<{ sdk: Sdk; client: S3Client }> | undefined;

  constructor(private readonly options: S3FileStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
  }

  private sdk(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({ sdk, client: this.connect(sdk) }));
    return this.loaded;
  }

  private connect(sdk: Sdk): S3Client {
    const options = this.options;
    const credentials =
      options.accessKeyId && options.secretAccessKey ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {};
    return new sdk.S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...credentials,
      // Checksums only where S3 demands them (DeleteObjects): several S3-compatible services
      // refuse the SDK's newer default of checksummed, aws-chunked uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A bucket that stops answering must fail the request, not hold it forever.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000, throwOnRequestTimeout: true },
    });
  }

  async put(key: string, data: Uint8Array, type: string): Promise<void> {
    const { sdk, client } = await this.sdk();
    await client.send(
      new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: data, ContentType: type, ContentLength: data.byteLength }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { sdk, client } = await this.sdk();
    try {
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      if (!response.Body) throw new Error(`S3 answered no body for ${key}`);
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (isMissingObject(sdk, error)) return undefined;
      throw error;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const { sdk, client } = await this.sdk();
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const response = await client.send(
        new sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((key) => ({ Key: this.prefix + key })), Quiet: true } }),
      );
      // Deleting a missing key is a success in S3; anything listed here really failed.
      const failed = response.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new Error(`S3 refused to delete ${failed.length} object(s), first ${first?.Key ?? '?'}: ${first?.Code ?? '?'} ${first?.Message ?? ''}`.trim());
      }
    }
  }

  /** Releases the client's sockets. */
  close(): void {
    void this.loaded?.then(({ client }) => client.destroy());
  }
}

/** NoSuchKey, or a bare 404 from a service that sends no error body, but never a missing bucket. */
function isMissingObject(sdk: Sdk, error: unknown): boolean {
  if (!(error instanceof sdk.S3ServiceException)) return false;
  if (error.name === 'NoSuchKey' || error.name === 'NotFound') return true;
  return error.$metadata.httpStatusCode === 404 && error.name !== 'NoSuchBucket';
}
