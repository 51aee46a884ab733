import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'coverage', 'bench/results', 'dist', 'dist-bench', 'dist-test-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser }, sourceType: 'script' } },
  // Migrations are frozen and typed loosely on purpose (Kysely<any>): they must not follow the app's types.
  { files: ['migrations/**/*.ts', 'src/db/migrate.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
)
