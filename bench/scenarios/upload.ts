/**
 * Attachments (docs/performance.md, "Attachments"): a visitor uploads a 10 MB file to Parley on
 * SQLite (files in the database, the default) over a real HTTP connection, one after another, and
 * downloads it back through its signed URL. Measures wall-clock throughput and the server's CPU
 * time per megabyte, and how much the server's memory grew.
 */
import { randomBytes } from 'node:crypto';
import { startServer } from '../lib/servers.js';
import { startConversations } from '../lib/chat-client.js';
import { atMost, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';

export const UPLOAD = { megabytes: 10, runs: 8 };

export interface UploadResult {
  megabytes: number;
  runs: number;
  uploadMBps: { p50: number; min: number };
  uploadMs: { p50: number; p95: number };
  downloadMBps: { p50: number; min: number };
  cpuMsPerMB: { upload: number; download: number };
  rssGrowthMB: number;
}

/** A PDF as far as content detection goes: the magic bytes, then incompressible filler. */
function pdf(bytes: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  return Buffer.concat([head, randomBytes(bytes - head.length)]);
}

function multipart(file: Buffer, name: string, clientMessageId: string): { body: Buffer; type: string } {
  const boundary = `----parley-bench-${randomBytes(8).toString('hex')}`;
  const field = (key: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`;
  const head = `${field('client_message_id', clientMessageId)}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

/** The nearest-rank percentile of `values`. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function uploadScenario(runs = UPLOAD.runs): Promise<UploadResult> {
  const server = await startServer('parley', { CHAT_RATE_LIMIT_UPLOAD: '1000000/1s', CHAT_ATTACHMENT_CONVERSATION_MAX_MB: '100000' });
  try {
    const [visitor] = await startConversations(server.base, 1);
    if (!visitor) throw new Error('no conversation');
    const size = UPLOAD.megabytes * 1024 * 1024;
    const file = pdf(size);
    const before = await server.stats(true);
    const uploads: number[] = [];
    const downloads: number[] = [];
    let uploadCpu = 0;
    let downloadCpu = 0;
    for (let i = 0; i < runs + 1; i++) {
      const { body, type } = multipart(file, `report-${i}.pdf`, `bench-upload-${process.pid}-${i}`);
      const cpu0 = (await server.stats()).cpuMicros;
      const t0 = performance.now();
      const answer = await fetch(`${server.base}/api/chat/${visitor.id}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${visitor.token}`, 'content-type': type, 'x-forwarded-for': visitor.ip },
        body,
      });
      const json = (await answer.json()) as { message?: { attachments?: { url: string; size: number }[] } };
      const took = performance.now() - t0;
      const cpu1 = (await server.stats()).cpuMicros;
      const url = json.message?.attachments?.[0]?.url;
      if (answer.status !== 201 || !url) throw new Error(`upload answered ${answer.status}: ${JSON.stringify(json).slice(0, 200)}`);
      const t1 = performance.now();
      const bytes = Buffer.from(await (await fetch(`${server.base}${url}`)).arrayBuffer());
      const tookDown = performance.now() - t1;
      const cpu2 = (await server.stats()).cpuMicros;
      if (bytes.length !== size) throw new Error(`downloaded ${bytes.length} bytes of ${size}`);
      // The first run warms the code paths up; it is not counted.
      if (i === 0) continue;
      uploads.push(took);
      downloads.push(tookDown);
      uploadCpu += cpu1 - cpu0;
      downloadCpu += cpu2 - cpu1;
    }
    const after = await server.stats(true);
    const mbps = (ms: number) => UPLOAD.megabytes / (ms / 1000);
    return {
      megabytes: UPLOAD.megabytes,
      runs,
      uploadMBps: { p50: mbps(median(uploads)), min: mbps(Math.max(...uploads)) },
      uploadMs: { p50: median(uploads), p95: percentile(uploads, 95) },
      downloadMBps: { p50: mbps(median(downloads)), min: mbps(Math.max(...downloads)) },
      cpuMsPerMB: { upload: uploadCpu / 1000 / (runs * UPLOAD.megabytes), download: downloadCpu / 1000 / (runs * UPLOAD.megabytes) },
      rssGrowthMB: (after.rss - before.rss) / 1024 / 1024,
    };
  } finally {
    await server.stop();
  }
}

export function uploadRows(result: UploadResult | { error: string } | undefined): Row[] {
  if (!result) return [];
  const scenario = `attachments, SQLite, ${UPLOAD.megabytes} MB file`;
  if ('error' in result) return [{ scenario, metric: 'upload', parley: Number.NaN, note: `failed: ${result.error}` }];
  return [
    { scenario, metric: 'upload throughput p50 (MB/s)', parley: result.uploadMBps.p50, note: `slowest ${result.uploadMBps.min.toFixed(1)} MB/s over ${result.runs} uploads` },
    { scenario, metric: 'upload time p95 (ms)', parley: result.uploadMs.p95, target: atMost(2000, '≤ 2,000 ms', 'value'), note: `p50 ${result.uploadMs.p50.toFixed(0)} ms` },
    { scenario, metric: 'download throughput p50 (MB/s)', parley: result.downloadMBps.p50, note: `slowest ${result.downloadMBps.min.toFixed(1)} MB/s` },
    { scenario, metric: 'server CPU per MB, upload / download (ms)', parley: result.cpuMsPerMB.upload, note: `download ${result.cpuMsPerMB.download.toFixed(1)} ms/MB` },
    { scenario, metric: 'server RSS growth after the runs, after GC (MB)', parley: result.rssGrowthMB },
  ];
}
