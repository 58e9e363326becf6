/** The texts of the file code (docs/widget.md, "Options"); a site overrides them like the others. */
export const UPLOAD_STRINGS = {
  filesToSend: 'Files to send',
  removeFile: 'Remove {name}',
  tooLarge: '{name} is too large to send (at most {max}).',
  notAccepted: '{name} cannot be sent: this kind of file is not accepted.',
};

export type UploadStrings = typeof UPLOAD_STRINGS;

/** Defaults with the site's overrides (non-empty strings only). */
export function uploadStrings(overrides: Record<string, unknown>): UploadStrings {
  const strings = { ...UPLOAD_STRINGS };
  for (const key of Object.keys(strings) as (keyof UploadStrings)[]) {
    const value = overrides[key];
    if (typeof value === 'string' && value.trim() !== '') strings[key] = value;
  }
  return strings;
}
