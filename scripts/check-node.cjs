// Refuses a Node.js older than package.json's `engines.node` with a message that says what to do. Plain
// CommonJS with no modern syntax, so that it runs — and can say so — on any Node (the sources need type
// stripping, which old Nodes lack: they would die with ERR_UNKNOWN_FILE_EXTENSION ".ts").
// `npm start` and `npm test` run it first (package.json "prestart", "pretest").
'use strict';
var fs = require('fs');
var path = require('path');

/** The lowest version `engines.node` (">=X.Y[.Z]") allows, as [major, minor, patch]. */
function minimumFromEngines(range) {
  var match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(range).trim());
  if (!match) throw new Error('package.json engines.node must read ">=X.Y": got "' + range + '"');
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

/** null when `version` (e.g. "24.1.0") satisfies `range`, otherwise the message to print. */
function checkNode(version, range) {
  var want = minimumFromEngines(range);
  var have = String(version).replace(/^v/, '').split('.').map(Number);
  for (var i = 0; i < 3; i++) {
    if ((have[i] || 0) > want[i]) return null;
    if ((have[i] || 0) < want[i]) {
      return (
        'Pairview needs Node.js ' + want.join('.') + ' or newer (Node 24 LTS recommended); this is Node ' + version + '.\n' +
        'Install Node 24 — with nvm: `nvm install` (the repository\'s .nvmrc says 24), with fnm: `fnm use` ' +
        '(.node-version), or from https://nodejs.org — then run `npm ci` again.'
      );
    }
  }
  return null;
}

module.exports = { checkNode: checkNode, minimumFromEngines: minimumFromEngines };

if (require.main === module) {
  var pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  var problem = checkNode(process.versions.node, pkg.engines.node);
  if (problem) {
    console.error('pairview: ' + problem);
    process.exit(1);
  }
}
