// Lints an OpenAPI document (JSON on stdin) with Redocly's recommended rules (and every example
// checked) and prints what it finds as JSON. A process of its own: @redocly/openapi-core 2 is ESM
// only, which jest's CommonJS runtime cannot load.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { createConfig, lintFromString } from '@redocly/openapi-core';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
// Recommended, plus the two example rules it leaves off: every example in the document is checked.
const config = await createConfig({
  extends: ['recommended'],
  rules: { 'no-invalid-schema-examples': 'error', 'no-invalid-parameter-examples': 'error' },
});
const problems = await lintFromString({
  source: Buffer.concat(chunks).toString('utf8'),
  absoluteRef: 'docs-json.json',
  config,
});
process.stdout.write(
  JSON.stringify(
    problems.map((p) => ({
      rule: p.ruleId,
      severity: p.severity,
      message: p.message,
      at: p.location[0]?.pointer,
    })),
  ),
);
