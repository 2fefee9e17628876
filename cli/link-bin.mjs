// Links the package's own `tc` into node_modules/.bin after a build, so that
// `npx tc` in this checkout runs tc even where another `tc` is on the PATH
// (Debian's iproute2 installs the traffic-control tool /usr/sbin/tc, which
// npx would otherwise pick: it does not link a package's own bin).
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';

if (existsSync('node_modules')) {
  mkdirSync('node_modules/.bin', { recursive: true });
  rmSync('node_modules/.bin/tc', { force: true });
  symlinkSync('../../dist/cli/tc.js', 'node_modules/.bin/tc');
  chmodSync('dist/cli/tc.js', 0o755);
}
