import { createContext } from 'preact';
import type { CannedLibrary } from './canned-library.js';
import type { CannedVariables } from './expand.js';

/** What the reply box needs to offer canned responses: the list, and what fills their variables. */
export interface CannedContextValue {
  library: CannedLibrary;
  variables: CannedVariables;
}

/** Provided by the dashboard around the open conversation; without it the reply box offers none. */
export const CannedContext = createContext<CannedContextValue | null>(null);
