/**
 * Fills the variables of a canned response before it is sent (docs/dashboard.md, "Canned
 * responses"). DOM-free. A variable is never sent raw: `{{visitor.name}}` without a name becomes
 * "there" ("Hi {{visitor.name}}" reads "Hi there"), `{{visitor.email}}` without an email becomes
 * nothing. Anything else in double braces is not a variable and stays as typed.
 */

/** What the variables are filled from: the open conversation and the agent sending. */
export interface CannedVariables {
  visitor: { name: string | null; email: string | null };
  agent: { name: string };
}

/** What `{{visitor.name}}` reads when the visitor gave no name. */
export const NAME_FALLBACK = 'there';

const VARIABLE = /\{\{\s*([A-Za-z_.]+)\s*\}\}/g;

const filled = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/** The value of each known variable (names are case-insensitive, spaces inside the braces allowed). */
function valueOf(name: string, vars: CannedVariables): string | undefined {
  switch (name.toLowerCase()) {
    case 'visitor.name':
      return filled(vars.visitor.name) ?? NAME_FALLBACK;
    case 'visitor.email':
      return filled(vars.visitor.email) ?? '';
    case 'agent.name':
      return filled(vars.agent.name) ?? '';
    default:
      return undefined;
  }
}

/** `body` with every known variable replaced; unknown `{{…}}` left as they are. */
export function expandVariables(body: string, vars: CannedVariables): string {
  return body.replace(VARIABLE, (whole, name: string) => valueOf(name, vars) ?? whole);
}
