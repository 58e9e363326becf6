import type { Member, StateChange } from './bus.js';

/** A presence entry as stored: the owning node, the user id (read by the Lua scripts) and the member. */
interface StoredMember {
  n: string;
  u: string;
  m: Member;
}

/** How a node remembers what it holds, so a sweep or resync can find it. */
export const socketEntry = (kind: 's' | 'p', appId: string, channel: string, socketId: string): string => JSON.stringify([kind, appId, channel, socketId]);

/** A presence entry of `node`, as the Lua scripts read it. */
export const storedMember = (node: string, member: Member): string => JSON.stringify({ n: node, u: member.user_id, m: member } satisfies StoredMember);

/** The member of a stored presence entry. */
export const memberOf = (raw: string): Member => (JSON.parse(raw) as StoredMember).m;

/** The two values of a script's `{a, b}` reply. */
export const pair = (reply: unknown): [unknown, unknown] => {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`redis bus: unexpected script reply ${JSON.stringify(reply)}`);
  return [reply[0], reply[1]];
};

/** The changes a RECONCILE reply lists; undefined when a sweep found the node alive. */
export function changesOf(reply: unknown): StateChange[] | undefined {
  if (!Array.isArray(reply)) return undefined;
  return (reply as [string, string, string, string][]).map(([what, appId, channel, raw]): StateChange => {
    if (what === 'member_added' || what === 'member_removed') return { type: what, appId, channel, member: memberOf(raw) };
    return { type: what === 'occupied' ? 'occupied' : 'vacated', appId, channel };
  });
}
