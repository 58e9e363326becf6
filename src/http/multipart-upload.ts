import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fail, ok, type Failure, type Result } from '../errors/error-codes.js';
import { isClientAbort } from './framework-errors.js';

/** One upload as received: the file's bytes and the name the client gave it, and the text fields. */
export interface ReceivedUpload {
  data: Uint8Array;
  filename: string;
  fields: Record<string, unknown>;
}

/** Room for the text fields, part headers and boundaries around the file in a `Content-Length`. */
const FORM_OVERHEAD = 64 * 1024;
/** A message body of 5,000 characters is at most 20,000 bytes of UTF-8. */
const FIELD_BYTES = 24 * 1024;

/**
 * Registers @fastify/multipart on `scope` (an encapsulated plugin holding only the upload routes,
 * so every other route keeps refusing multipart with 415): one file, a few small fields. The
 * parser's own file limit is one byte over ours, so `readUpload` sees the crossing and stops there.
 */
export async function acceptMultipart(scope: FastifyInstance, maxBytes: number): Promise<void> {
  await scope.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: maxBytes + 1, files: 1, fields: 4, parts: 6, fieldSize: FIELD_BYTES, fieldNameSize: 64, headerPairs: 16 },
  });
}

const tooLarge = (maxBytes: number): Failure => ({
  code: 'payload_too_large',
  message: `The file is larger than the limit of ${maxBytes} bytes.`,
  fields: { file: `must be at most ${maxBytes} bytes` },
});

/**
 * Reads a multipart upload (docs/api.md, "Attachments"): exactly one part named `file`, and text
 * fields before or after it. The file is read chunk by chunk and given up the moment it passes
 * `maxBytes`, with nothing more read (a `Content-Length` already past it is refused before a byte
 * is read). Refusals are answered as data; a client that hangs up mid-body is thrown, as elsewhere.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Result<ReceivedUpload>> {
  if (!request.isMultipart()) return fail('unsupported_media_type', 'Send the file as multipart/form-data, in a field named file.');
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + FORM_OVERHEAD) return { ok: false, error: tooLarge(maxBytes) };
  const fields: Record<string, unknown> = {};
  let file: { data: Uint8Array; filename: string } | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated || part.fieldnameTruncated) return fail('payload_too_large', `The field ${part.fieldname} is too long.`, { [part.fieldname]: 'is too long' });
        fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.destroy();
        return fail('validation_failed', 'Send the file in a field named file.', { file: 'is required (the file was sent under another name)' });
      }
      const data = await readAtMost(part.file, maxBytes);
      if (data === undefined) return { ok: false, error: tooLarge(maxBytes) };
      file = { data, filename: part.filename };
    }
  } catch (error) {
    return refusal(error as { code?: string }, request);
  }
  if (file === undefined) return fail('validation_failed', 'The request has no file: send it in a field named file.', { file: 'is required' });
  return ok({ ...file, fields });
}

/** The stream's bytes, or nothing as soon as they pass `maxBytes` (the stream is destroyed then). */
async function readAtMost(stream: Readable & { truncated?: boolean }, maxBytes: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop destroys the stream: the parser stops and the rest of the body is not read.
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return stream.truncated ? undefined : Buffer.concat(chunks, size);
}

/** The parser's refusals in our codes; a client that went away is thrown to the app's handler. */
function refusal(error: { code?: string }, request: FastifyRequest): Result<never> {
  if (isClientAbort(error, request.raw) || error.code === 'FST_MP_PREMATURE_CLOSE') throw error;
  switch (error.code) {
    case 'FST_FILES_LIMIT':
      return fail('validation_failed', 'Send one file per upload.', { file: 'must be exactly one file' });
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return fail('payload_too_large', 'The upload has too many parts: send one file and at most the fields body and client_message_id.');
    default:
      return fail('bad_request', 'The multipart body is malformed.');
  }
}
