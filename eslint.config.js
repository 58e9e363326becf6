// Lint rules: typescript-eslint's recommended type-aware set, plus the few habits STYLE.md asks for.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// `npm ci --omit=dev` leaves devDependencies out: server code must not load them at run time
// (test/dependencies.test.ts checks the whole list, including bufferutil, which ws loads itself).
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const devOnly = Object.keys(pkg.devDependencies).filter((name) => !(name in pkg.dependencies));

/** Where `npm ci --omit=dev` would break a run: devDependencies imported by server code, plus any `more` patterns. */
function restricted(more) {
  const message = (name) => `${name} is a devDependency, absent after npm ci --omit=dev: move it to dependencies.`;
  return {
    paths: devOnly.map((name) => ({ name, allowTypeImports: true, message: message(name) })),
    patterns: [...devOnly.map((name) => ({ group: [`${name}/*`], allowTypeImports: true, message: message(name) })), ...more],
  };
}

/** Each folder of src/ and the folders it may import (docs/architecture.md, "Layers"); the composition root (src/main.ts, src/cli.ts, src/compose/) may import all. */
const LAYERS = {
  time: [],
  errors: [],
  security: [],
  config: ['security'],
  storage: ['config', 'security'],
  scaling: ['time'],
  realtime: ['scaling', 'security', 'time', 'config', 'errors'],
  chat: ['storage', 'errors', 'security', 'time'],
  agents: ['chat', 'storage', 'errors', 'security', 'time'],
  broadcasting: ['chat', 'realtime', 'config', 'time'],
  ops: ['chat', 'errors', 'security', 'time'],
  http: ['chat', 'agents', 'config', 'errors', 'ops', 'realtime', 'security', 'time'],
  mail: ['config', 'errors', 'security', 'storage', 'time'],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'storage/', 'coverage/', 'public/build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/**', 'bin/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', restricted([])] },
  },
  // The layers of docs/architecture.md: each folder of src/ imports only the folders listed for it.
  ...Object.entries(LAYERS).map(([folder, allowed]) => ({
    files: [`src/${folder}/**`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        restricted([
          {
            group: [...Object.keys(LAYERS).filter((other) => other !== folder && !allowed.includes(other)).map((other) => `**/${other}/**`), '**/compose/**', '**/main.js', '**/cli.js'],
            message: `src/${folder} may import only ${allowed.length === 0 ? 'nothing else in src/' : allowed.map((a) => `src/${a}`).join(', ')} (docs/architecture.md, "Layers").`,
          },
        ]),
      ],
    },
  })),
  // Browser apps: each app imports web/shared and, type-only, the server's contract and DTOs; never the other app.
  ...Object.entries({ widget: ['dashboard'], dashboard: ['widget'], shared: ['widget', 'dashboard'] }).map(([app, others]) => ({
    files: [`web/${app}/**`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: others.map((other) => `**/${other}/**`), message: `web/${app} must not import another browser app; shared code goes in web/shared (docs/architecture.md, "Layers").` },
            { group: ['**/src/**'], allowTypeImports: true, message: 'Browser code imports server modules type-only (`import type`): their code is not in the bundle (docs/architecture.md, "Layers").' },
          ],
        },
      ],
    },
  })),
  {
    // Browser code (the widget) runs in pages: browser globals.
    files: ['web/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
);
