import { gunzipSync } from 'node:zlib';
import type { Registry } from './services.js';

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

export interface ManifestDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ImageManifest {
  digest: string;
  mediaType: string;
  config: ManifestDescriptor;
  layers: ManifestDescriptor[];
}

function headers(registry: Registry, accept?: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (accept) result.Accept = accept;
  if (registry.username) {
    result.Authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  }
  return result;
}

/** Fetches a manifest through the registry's /v2 API; returns undefined when the tag does not exist. */
export async function getManifest(registry: Registry, repository: string, reference: string): Promise<ImageManifest | undefined> {
  const response = await fetch(`http://${registry.address}/v2/${repository}/manifests/${reference}`, {
    headers: headers(registry, MANIFEST_TYPES),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET manifest ${repository}:${reference} returned ${response.status}`);
  const body = (await response.json()) as Omit<ImageManifest, 'digest'>;
  const digest = response.headers.get('docker-content-digest') ?? '';
  return { ...body, digest, mediaType: body.mediaType ?? response.headers.get('content-type') ?? '' };
}

export async function getBlob(registry: Registry, repository: string, digest: string): Promise<Buffer> {
  const response = await fetch(`http://${registry.address}/v2/${repository}/blobs/${digest}`, { headers: headers(registry) });
  if (!response.ok) throw new Error(`GET blob ${repository}@${digest} returned ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Lists a repository's tags; an unknown repository has none. */
export async function listTags(registry: Registry, repository: string): Promise<string[]> {
  const response = await fetch(`http://${registry.address}/v2/${repository}/tags/list`, { headers: headers(registry) });
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`GET tags of ${repository} returned ${response.status}`);
  const body = (await response.json()) as { tags: string[] | null };
  return body.tags ?? [];
}

/** Lists the repositories in the registry's catalog. */
export async function listRepositories(registry: Registry): Promise<string[]> {
  const response = await fetch(`http://${registry.address}/v2/_catalog`, { headers: headers(registry) });
  if (!response.ok) throw new Error(`GET catalog returned ${response.status}`);
  const body = (await response.json()) as { repositories: string[] | null };
  return body.repositories ?? [];
}

export interface ImageConfig {
  config?: { Labels?: Record<string, string>; Entrypoint?: string[]; Env?: string[] };
}

export async function getImageConfig(registry: Registry, repository: string, manifest: ImageManifest): Promise<ImageConfig> {
  return JSON.parse((await getBlob(registry, repository, manifest.config.digest)).toString('utf8')) as ImageConfig;
}

/** Returns the paths and contents of the regular files in a gzip-compressed tar layer. */
export function readLayerFiles(layer: Buffer): Map<string, Buffer> {
  const tar = layer[0] === 0x1f && layer[1] === 0x8b ? gunzipSync(layer) : layer;
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const path = prefix ? `${prefix}/${name}` : name;
    if (type === '0' || type === '\0') {
      files.set(path.replace(/^\.\//, ''), tar.subarray(offset + 512, offset + 512 + size));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
