/** The page and referrer as origin + path only: queries and fragments often carry tokens and personal data. */
export function pageFields(page: { url: string; referrer: string }): { page_url?: string; referrer?: string } {
  const fields: { page_url?: string; referrer?: string } = {};
  const pageUrl = originAndPath(page.url);
  const referrer = originAndPath(page.referrer);
  if (pageUrl !== undefined) fields.page_url = pageUrl;
  if (referrer !== undefined) fields.referrer = referrer;
  return fields;
}

function originAndPath(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const value = url.origin + url.pathname;
  return value.length <= 2048 ? value : undefined;
}
