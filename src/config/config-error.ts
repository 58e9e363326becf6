/** A configuration problem: names every bad variable, so start-up can stop with one clear message. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Problems found so far. A variable keeps its first problem: later checks only trip over the same bad value. */
export class Problems {
  readonly list: string[] = [];
  private readonly named = new Set<string>();

  add(name: string, message: string): void {
    if (this.named.has(name)) return;
    this.named.add(name);
    this.list.push(`${name}: ${message}`);
  }

  has(name: string): boolean {
    return this.named.has(name);
  }
}
