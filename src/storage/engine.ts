/** The database engines Parley runs on. */
export type Engine = 'sqlite' | 'pgsql';
