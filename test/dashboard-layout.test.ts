import { describe, expect, it } from 'vitest';
import { conversationPath, paneOf, parentOf, visitorPath } from '../web/dashboard/layout/pane.js';

/** docs/dashboard.md, "On a phone": which pane an address shows, and where its Back leads. */
describe('the phone panes of the dashboard', () => {
  it.each([
    ['/stratus', 'inbox', null],
    ['/stratus/', 'inbox', null],
    ['/stratus/conversations/12', 'conversation', 12],
    ['/stratus/conversations/12/visitor', 'visitor', 12],
    ['/stratus/conversations/abc', 'inbox', null],
    ['/stratus/conversations/99999999999999999999', 'inbox', null],
    ['/stratus/agents', 'inbox', null],
  ] as const)('%s shows the %s pane', (path, name, conversationId) => {
    expect(paneOf(path)).toEqual({ name, conversationId });
  });

  it('goes back from visitor info to its conversation and from a conversation to the inbox', () => {
    expect(parentOf(paneOf(visitorPath(7)))).toBe(conversationPath(7));
    expect(parentOf(paneOf(conversationPath(7)))).toBe('/stratus');
    expect(parentOf(paneOf('/stratus'))).toBe('/stratus');
  });
});
