/** The preview strip's styles (the file code adds them to the shadow root when it loads). */
export const UPLOAD_CSS = `
.staging{border-top:1px solid var(--line);background:var(--bg)}
.strip{list-style:none;margin:0;padding:8px 12px 0;display:flex;flex-wrap:wrap;gap:6px 8px;max-height:128px;overflow-y:auto}
.chip{flex:0 1 auto;min-width:0;display:flex;align-items:center;gap:8px;max-width:100%;padding:4px;border:1px solid var(--line);border-radius:10px;background:var(--bg)}
.chip img,.chip .doc{flex:none;width:40px;height:40px;border-radius:7px;object-fit:cover}
.chip .doc{display:flex;align-items:center;justify-content:center;background:var(--bg);border:1px solid var(--line);font-size:10.5px;font-weight:700;color:var(--muted)}
.chip .name{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:12.5px}
.chip .size{flex:none;font-size:11.5px;color:var(--muted)}
.rm{flex:none;width:32px;height:32px;border:0;border-radius:8px;background:transparent;color:var(--fg);cursor:pointer;display:flex;align-items:center;justify-content:center}
.rm:hover{background:var(--line)}
.rm svg{width:16px;height:16px}
.upload-err{padding:6px 14px 0}
.staging + .compose{border-top:0}
@media (max-width:480px){.rm{width:44px;height:44px}}
`;
