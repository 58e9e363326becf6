/** The loader's styles: the launcher button and its unread badge. Everything else comes with the chat code. */
export const LAUNCHER_CSS = `
:host{--pa:#2563eb;--pat:#fff}
[hidden]{display:none!important}
.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:60px;height:60px;border:0;border-radius:50%;padding:0;margin:0;
background:var(--pa);color:var(--pat);cursor:pointer;display:flex;align-items:center;justify-content:center;
box-shadow:0 6px 20px rgba(0,0,0,.22),0 2px 6px rgba(0,0,0,.12);transition:transform .15s ease,box-shadow .15s ease;font:600 12px/1 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
:host([data-position=left]) .launcher{right:auto;left:20px}
.launcher:hover{transform:scale(1.06)}
.launcher:focus{outline:none}
.launcher:focus-visible{outline:3px solid var(--pa);outline-offset:3px;box-shadow:0 0 0 6px rgba(255,255,255,.9)}
.launcher svg{width:28px;height:28px;display:block}
.launcher .i-close{display:none}
.launcher[aria-expanded=true] .i-open{display:none}
.launcher[aria-expanded=true] .i-close{display:block}
.launcher[aria-busy=true]{opacity:.8;cursor:progress}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;border-radius:10px;
background:#dc2626;color:#fff;font:700 12px/20px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-align:center;border:2px solid #fff}
@media (prefers-reduced-motion:reduce){.launcher{transition:none}.launcher:hover{transform:none}}
@media print{.launcher{display:none}}
`;
