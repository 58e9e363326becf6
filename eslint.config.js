// Lint rules: typescript-eslint's recommended type-aware set, plus the few habits STYLE.md asks for.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// `npm ci --omit=dev` leaves devDependencies out: server code must not load them at run time
// (test/dependencies.test.ts checks the whole list, including bufferutil, which ws loads itself).
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const devOnly = Object.keys(pkg.devDependencies).filter((name) => !(name in pkg.dependencies));

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
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: devOnly.map((name) => ({ name, allowTypeImports: true, message: `${name} is a devDependency, absent after npm ci --omit=dev: move it to dependencies.` })),
          patterns: devOnly.map((name) => ({ group: [`${name}/*`], allowTypeImports: true, message: `${name} is a devDependency, absent after npm ci --omit=dev: move it to dependencies.` })),
        },
      ],
    },
  },
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
