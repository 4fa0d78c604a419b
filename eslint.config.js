// @ts-check
import tseslint from 'typescript-eslint';

/** Code that must never import `vscode`: it runs in the language server, or computes, or talks to the cluster. */
const vscodeFree = [
  'src/cluster/**',
  'src/analysis/**',
  'src/server/**',
  'src/shared/**',
  'src/cli/**',
  'sandbox/**',
];

/** Code that computes must not touch the network either. */
const networkFree = ['src/analysis/**'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'test-results/**',
      '.cache/**',
      '.sandbox/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test() and describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'all'],
      'no-console': 'off',
    },
  },
  {
    files: vscodeFree,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'This folder must not depend on VS Code (see ARCHITECTURE.md).' },
          ],
        },
      ],
    },
  },
  {
    files: networkFree,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message: 'Code that computes must not depend on VS Code (see ARCHITECTURE.md).',
            },
            ...[
              'net',
              'node:net',
              'http',
              'node:http',
              'https',
              'node:https',
              'tls',
              'node:tls',
              'dgram',
              'node:dgram',
              'dns',
              'node:dns',
              'child_process',
              'node:child_process',
              '@kubernetes/client-node',
              'ws',
            ].map((name) => ({
              name,
              message: 'Code that computes must not touch the network or processes (see ARCHITECTURE.md).',
            })),
          ],
        },
      ],
    },
  },
  {
    files: ['src/server/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The `kubereach` bin is CommonJS, so that any Node can read it and say what it needs.
    files: ['bin/**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
