import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './locate';

/**
 * Where this copy of openai-mock lives decides what a user can do about a missing spec: a
 * project that installed the package reinstalls it (the package carries the spec), a checkout of
 * the repository fetches it, a container mounts one or rebuilds its image.
 */
export type Installation = 'installed' | 'checkout' | 'container' | 'other';

export function installation(root = PACKAGE_ROOT): Installation {
  if (root.split(path.sep).includes('node_modules')) return 'installed';
  // Images are built without .git (and the checkout has its fetch script).
  if (existsSync(path.join(root, '.git')) && existsSync(path.join(root, 'scripts', 'fetch-spec.js'))) return 'checkout';
  if (existsSync('/.dockerenv') || existsSync('/run/.containerenv') || process.env.container) return 'container';
  return 'other';
}

const OTHER_SPEC = 'Pass --spec PATH|URL, or set "spec" in the config or OPENAI_MOCK_SPEC';

/** What to do when the spec cannot be had: every way to name another, and how to get the default back where the user is. */
export function specHint(where: Installation = installation()): string {
  switch (where) {
    case 'installed':
      return `${OTHER_SPEC}; the package's own spec/openapi.yaml comes with it: reinstall openai-mock (npm install -D openai-mock) if it is missing.`;
    case 'checkout':
      return `${OTHER_SPEC}, or run \`npm run fetch-spec\` to fill the default spec/openapi.yaml.`;
    case 'container':
      return `${OTHER_SPEC}: in a container, mount a spec (docker run -v /path/openapi.yaml:/spec.yaml -e OPENAI_MOCK_SPEC=/spec.yaml ...), or rebuild the image, which copies spec/openapi.yaml in.`;
    default:
      return `${OTHER_SPEC}.`;
  }
}
