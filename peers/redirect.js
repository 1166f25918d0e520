// @ts-check
/**
 * A require hook (`node -r ./peers/redirect.js`): the app's peers come from another folder's
 * node_modules than the project's, and, if asked, the library from the compiled lib/ instead of src/.
 *
 *   PEERS_DIR=peers/newest   aws-cdk-lib, constructs and cdk-nag (and their subpaths), whoever asks
 *                            for them (the app, the library, @aws-cdk/integ-tests-alpha), are
 *                            resolved from PEERS_DIR/node_modules.
 *   PEERS_USE_LIB=true       a file of src/*.ts the app imports is replaced by lib/*.js (the build's
 *                            output, the code a user installs).
 */
const Module = require('module');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const peersDir = process.env.PEERS_DIR ? path.resolve(repo, process.env.PEERS_DIR) : undefined;
const useLib = process.env.PEERS_USE_LIB === 'true';
const PEERS = ['aws-cdk-lib', 'constructs', 'cdk-nag'];
const src = path.join(repo, 'src') + path.sep;

// @ts-ignore: an internal of Node's module loader, the documented way such hooks are written.
const original = Module._resolveFilename;
// @ts-ignore
Module._resolveFilename = function resolveFilename(request, parent, isMain, options) {
  if (peersDir && PEERS.some((p) => request === p || request.startsWith(p + '/'))) {
    return original.call(this, request, parent, isMain, { ...options, paths: [peersDir] });
  }
  const resolved = original.call(this, request, parent, isMain, options);
  if (useLib && resolved.startsWith(src) && resolved.endsWith('.ts')) {
    const compiled = path.join(repo, 'lib', resolved.slice(src.length).replace(/\.ts$/, '.js'));
    return original.call(this, compiled, parent, isMain, options);
  }
  return resolved;
};

// PEERS_VERIFY=true: at exit, say which aws-cdk-lib ran and fail if any src/ file was loaded
// (with PEERS_USE_LIB the library must come from lib/ only).
if (process.env.PEERS_VERIFY === 'true') {
  process.on('exit', () => {
    const cdkLib = require.resolve('aws-cdk-lib/package.json', { paths: [peersDir ?? repo] });
    process.stdout.write(`peers: aws-cdk-lib ${require(cdkLib).version} from ${path.relative(repo, cdkLib)}\n`);
    const fromSrc = Object.keys(require.cache).filter((f) => f.startsWith(src));
    if (useLib && fromSrc.length > 0) {
      process.stderr.write(`peers: the library was loaded from src/, not lib/: ${fromSrc.map((f) => path.relative(repo, f)).join(', ')}\n`);
      process.exitCode = 1;
    }
  });
}
