// `npm run docs:config`: writes docs/configuration.md from the configuration schema
// (libs/config/src/environment.ts). A unit test fails while the committed file is out of date.
require('./register.js');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { CONFIGURATION_DOC, configurationTable } = require('../libs/config/src/docs.ts');

const file = join(__dirname, '..', CONFIGURATION_DOC);
writeFileSync(file, configurationTable());
process.stdout.write(`wrote ${file}\n`);
