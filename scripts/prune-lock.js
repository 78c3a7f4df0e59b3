// The registry this project installs from serves only the platform packages of this machine
// (e.g. @swc/core-linux-x64-gnu, not @swc/core-darwin-arm64). npm then leaves those optional
// packages out of package-lock.json but keeps their names in the parents' optionalDependencies,
// and `npm ci` refuses the lock as out of sync. Drop the names that have no entry of their own.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const present = new Set(
  Object.keys(lock.packages).map((key) => key.slice(key.lastIndexOf('node_modules/') + 13)),
);
let pruned = 0;
for (const entry of Object.values(lock.packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (!present.has(name)) {
      delete entry.optionalDependencies[name];
      pruned++;
    }
  }
  if (entry.optionalDependencies && !Object.keys(entry.optionalDependencies).length) {
    delete entry.optionalDependencies;
  }
}
if (pruned) fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
