import { encodeKeyPath } from '../../core/key.js';

/**
 * Builds `baseUrl + publicPath + '/' + key`, each key segment percent-encoded, so that spaces,
 * `+`, `&`, `#`, `?` and unicode survive a browser. Relative when there is no `baseUrl`.
 */
export function createUrlBuilder(publicPath: string, baseUrl?: string): (key: string) => string {
  const path = publicPath.replace(/\/+$/, '');
  const prefix = (baseUrl ?? '').replace(/\/+$/, '') + (path === '' || path.startsWith('/') ? path : `/${path}`);
  return (key) => `${prefix}/${encodeKeyPath(key)}`;
}
