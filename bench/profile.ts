/**
 * `npm run bench:profile -- <chat|fanout|path> [floor|parley]`: one scenario's measured window
 * under a V8 CPU profile taken inside the server, written to bench/results/<scenario>-<server>.cpuprofile
 * (open it in Chrome DevTools) and summarised here: where the server's CPU went, busy time only.
 */
import { join } from 'node:path';
import { startConversations } from './lib/chat-client.js';
import { summariseProfile } from './lib/cpu-profile.js';
import { LoadGenerators } from './lib/load.js';
import { benchPath } from './lib/proc.js';
import { startServer, type ServerKind } from './lib/servers.js';
import { CHAT_PATH, postMessages } from './scenarios/chat-path.js';
import { SIZES, timedLoad } from './scenarios/realtime.js';
import { BENCH_APP } from './lib/pusher-sign.js';

const [scenario = 'chat', kind = 'parley'] = process.argv.slice(2) as [string?, ServerKind?];
const file = join(benchPath('results'), `${scenario}-${kind}.cpuprofile`);
const load = new LoadGenerators();
const server = await startServer(scenario === 'path' ? 'parley' : kind);
try {
  if (scenario === 'path') {
    const visitors = await startConversations(server.base, CHAT_PATH.conversations);
    await load.connectOn(0, { url: server.wsUrl, channels: [['private-agents']], sign: BENCH_APP, event: 'MessageSent' });
    await postMessages(server, load, visitors, CHAT_PATH.rate, 1000, 1);
    await server.profileStart();
    console.log(JSON.stringify((await postMessages(server, load, visitors, CHAT_PATH.rate, 5000, 1))[0]));
  } else {
    const fanout = scenario === 'fanout';
    const channels = fanout ? ['fanout'] : Array.from({ length: SIZES.chatChannels }, (_, i) => `chat.${i}`);
    const perChannel = fanout ? SIZES.fanoutSubscribers : 2;
    const rate = fanout ? (SIZES.fanoutRates[0] as number) : SIZES.chatRate;
    await load.connect({ url: server.wsUrl, channels: channels.flatMap((c) => Array.from({ length: perChannel }, () => [c])), event: 'bench' });
    await timedLoad(server, load, channels, perChannel, rate, 1000);
    await server.profileStart();
    console.log(JSON.stringify(await timedLoad(server, load, channels, perChannel, rate, 5000)));
  }
  await server.profileStop(file);
  const summary = summariseProfile(file);
  console.log(`\n${kind}, ${scenario}: ${summary.totalMs.toFixed(0)} ms busy in the window; profile: ${file}\n\nself time by place:`);
  for (const [where, pct] of summary.byPlace) console.log(`  ${pct.toFixed(1).padStart(5)}%  ${where}`);
  console.log('\nself time by function:');
  for (const [fn, pct] of summary.byFunction) console.log(`  ${pct.toFixed(1).padStart(5)}%  ${fn}`);
} finally {
  await load.closeSockets().catch(() => undefined);
  await load.close();
  await server.stop();
}
