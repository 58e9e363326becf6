/** A presence member, or the user a private channel's signed `channel_data` names: the id and the `user_info` their auth gave. */
export interface ChannelMember {
  user_id: string;
  user_info?: unknown;
}

/**
 * A subscription's `channel_data`, parsed once when the frame arrives: the exact text the
 * signature covers, and the member it names (undefined unless it is JSON with a `user_id`).
 */
export interface ChannelData {
  text: string;
  member: ChannelMember | undefined;
}

/** Reads `{"user_id": …, "user_info": …}`; ids may be numbers on the wire and become strings. Never throws. */
export function parseChannelData(text: string): ChannelData {
  return { text, member: memberOf(text) };
}

function memberOf(text: string): ChannelMember | undefined {
  try {
    const parsed = JSON.parse(text) as { user_id?: unknown; user_info?: unknown } | null;
    const id = parsed?.user_id;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') return undefined;
    return parsed?.user_info === undefined ? { user_id: String(id) } : { user_id: String(id), user_info: parsed.user_info };
  } catch {
    return undefined;
  }
}
