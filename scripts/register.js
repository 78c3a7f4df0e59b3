// Runs TypeScript directly (`node -r ./scripts/register.js file.ts`) for scripts such as the
// benchmarks: compiles each .ts file with @swc/core using the repository's .swcrc, whose `paths`
// turn the @app/* aliases into relative requires.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const swc = require('@swc/core');

const root = join(__dirname, '..');
const config = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete config.$schema;
config.jsc.baseUrl = root;

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    ...config,
    filename,
    swcrc: false,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
