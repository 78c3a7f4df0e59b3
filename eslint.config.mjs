// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '*.js',
      '*.mjs',
      // Written by the contract test from the served OpenAPI document.
      'test/client/generated/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Plain Node scripts (CommonJS).
    files: ['scripts/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The domain core stays pure: nothing from frameworks, databases or other libraries.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@nestjs/*',
            'typeorm',
            'pg',
            'bullmq',
            'ioredis',
            '@app/*',
            'class-validator',
          ],
        },
      ],
    },
  },
  {
    // Configuration is read once, in one module: libs/config (tests and test support aside).
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**', '**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through @app/config (loadConfig / APP_CONFIG).',
        },
      ],
    },
  },
  {
    // The projection runner is generic: no domain, no read model, no store internals.
    files: ['libs/projections/**/*.ts'],
    ignores: ['libs/projections/src/**/*.spec.ts', 'libs/projections/src/**/*.int-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@app/domain',
            '@app/domain/*',
            '@app/read-models',
            '@app/read-models/*',
            '@app/follow-ups',
            '@app/outcomes',
            '@app/returns',
            '@app/savings',
            '@app/security',
          ],
        },
      ],
    },
  },
);
