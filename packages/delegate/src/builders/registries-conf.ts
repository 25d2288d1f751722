import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildRequest } from './build-request.js';
import type { BuildahFiles } from './buildah-argv.js';

function tomlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * Renders a containers registries.conf (v2) for one build: short names
 * resolve on docker.io, each plain-HTTP or unverified registry gets
 * `insecure = true` (which in containers/image both skips certificate checks
 * and allows HTTP), and docker.io gets the request's mirrors.
 */
export function renderRegistriesConf(request: Pick<BuildRequest, 'registries' | 'mirrors'>): string {
  const lines = ['unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"', ''];
  const dockerHub = request.registries.find((registry) => registry.host === 'docker.io');
  for (const registry of request.registries) {
    if (!(registry.insecure || registry.skipTlsVerify) && !(registry.host === 'docker.io' && request.mirrors.length > 0)) continue;
    lines.push('[[registry]]', `location = ${tomlString(registry.host)}`);
    if (registry.insecure || registry.skipTlsVerify) lines.push('insecure = true');
    if (registry.host === 'docker.io') lines.push(...mirrorLines(request.mirrors));
    lines.push('');
  }
  if (dockerHub === undefined && request.mirrors.length > 0) {
    lines.push('[[registry]]', 'location = "docker.io"', ...mirrorLines(request.mirrors), '');
  }
  return `${lines.join('\n')}\n`;
}

function mirrorLines(mirrors: string[]): string[] {
  return mirrors.flatMap((mirror) => ['[[registry.mirror]]', `location = ${tomlString(mirror.replace(/^https?:\/\//, ''))}`, ...(mirror.startsWith('http://') ? ['insecure = true'] : [])]);
}

/**
 * Writes the registries.conf and, when a registry has a CA file, a
 * certificate directory with one `*.crt` per CA, under `directory`.
 */
export async function writeBuildahFiles(request: BuildRequest, directory: string): Promise<BuildahFiles> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const registriesConf = path.join(directory, 'registries.conf');
  await writeFile(registriesConf, renderRegistriesConf(request), { mode: 0o600 });
  const files: BuildahFiles = { registriesConf };
  const withCa = request.registries.filter((registry) => registry.caFile !== undefined);
  if (withCa.length > 0) {
    const certDir = path.join(directory, 'certs');
    await mkdir(certDir, { recursive: true, mode: 0o700 });
    for (const [index, registry] of withCa.entries()) {
      await copyFile(registry.caFile ?? '', path.join(certDir, `ca-${index}.crt`));
    }
    files.certDir = certDir;
  }
  return files;
}
