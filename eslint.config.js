// ESLint: typescript-eslint's type-aware recommended rules over the
// TypeScript (typed through tsconfig.json), the plain recommended ones over
// the few JavaScript files. Formatting is Prettier's: eslint-config-prettier
// comes last and turns off every rule that would disagree with it.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// The Node globals the .mjs/.cjs files use (TypeScript gets them from @types/node).
const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate'].map((name) => [
    name,
    'readonly',
  ]),
);

export default defineConfig(
  globalIgnores(['dist/', 'build/', 'prebuilds/', 'coverage/', '.cache/', 'docs/api/', 'bench/peers/', 'bench/.out/']),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `using x = …` holds a resource to the end of its scope without naming it again.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreUsingDeclarations: true },
      ],
      // Promise-returning APIs are `async` even without an await, so that a synchronous throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // Rejecting with the signal's reason (whatever it is) and rethrowing a caught value are Node's conventions.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Subnet's toString() is its CIDR text, made to be interpolated.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'file', name: 'Subnet' },
          ],
        },
      ],
      // A variable a callback reads before its single assignment (the callback runs later) has to be a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Vitest's asymmetric matchers (expect.objectContaining(), …) and events.once() are typed `any`,
      // and the API sweep calls every export as a plain Function.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
