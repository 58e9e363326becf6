import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci --omit=dev` installs `dependencies` only (docs/deployment.md): whatever `src/` loads at
 * run time must be there, and nothing else should be (.ci/omit-dev-check proves it end to end).
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Dependencies nothing in `src/` imports, loaded at run time by another dependency. */
const LOADED_BY_OTHERS: Record<string, { by: string; evidence: { file: string; text: string } }> = {
  // ws masks and unmasks frames with it when it is installed (a native speed-up, optional).
  bufferutil: { by: 'ws', evidence: { file: 'node_modules/ws/lib/buffer-util.js', text: "require('bufferutil')" } },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Package names a file loads at run time: static imports, re-exports, side-effect and dynamic imports; `import type` is erased. */
function runtimePackages(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1] as string);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0] as string))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string)));
}

const imported = new Map<string, string[]>();
for (const file of [...sourceFiles('src'), ...sourceFiles('bin')]) {
  for (const name of runtimePackages(readFileSync(file, 'utf8'))) imported.set(name, [...(imported.get(name) ?? []), file]);
}

describe('runtime dependencies', () => {
  it('reads every kind of import specifier, and skips type-only imports', () => {
    const source = [
      "import a from 'alpha';",
      "import { b } from '@scope/beta/sub';",
      "import type { C } from 'gamma';",
      "export { d } from 'delta';",
      "import 'epsilon';",
      "const z = await import('zeta');",
      "import { readFileSync } from 'node:fs';",
      "import x from './local.js';",
      "import path from 'path';",
    ].join('\n');
    expect(runtimePackages(source).sort()).toEqual(['@scope/beta', 'alpha', 'delta', 'epsilon', 'zeta']);
  });

  it('every package src/ and bin/ import is in dependencies, not only devDependencies', () => {
    const missing = [...imported.entries()].filter(([name]) => pkg.dependencies[name] === undefined).map(([name, files]) => `${name} (imported by ${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('every dependency is imported by src/ or loaded by a dependency that is', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !imported.has(name) && !(name in LOADED_BY_OTHERS));
    expect(unused).toEqual([]);
  });

  it.each(Object.entries(LOADED_BY_OTHERS))('%s is really loaded by its dependent at run time', (_name, { by, evidence }) => {
    expect(imported.has(by)).toBe(true);
    expect(readFileSync(evidence.file, 'utf8')).toContain(evidence.text);
  });

  it('browser-only packages, bundled into dist/web at build time, stay out of dependencies', () => {
    for (const name of ['preact', 'pusher-js']) {
      expect(pkg.dependencies[name]).toBeUndefined();
      expect(pkg.devDependencies[name]).toBeDefined();
    }
  });
});
