/**
 * The panel's styles, inside the shadow root: nothing leaks out, the page's rules do not reach in.
 * Text keeps WCAG AA contrast in every state: pending and failed bubbles are marked by an outline
 * and their meta line, never by fading.
 */
export const PANEL_CSS = `
.wrap{--bg:#fff;--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--soft:#f3f4f6;--agent:#f1f3f6;--err:#b91c1c;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);-webkit-font-smoothing:antialiased}
@media (prefers-color-scheme:dark){.wrap{--bg:#111827;--fg:#f3f4f6;--muted:#9ca3af;--line:#374151;--soft:#1f2937;--agent:#273244;--err:#f87171}}
.wrap *{box-sizing:border-box}
.panel{position:fixed;right:20px;bottom:92px;z-index:2147483001;width:370px;height:min(620px,calc(100vh - 112px));
display:flex;flex-direction:column;background:var(--bg);border-radius:16px;overflow:hidden;border:1px solid var(--line);
box-shadow:0 12px 40px rgba(0,0,0,.25),0 2px 8px rgba(0,0,0,.1);animation:pin .18s ease-out;transform-origin:bottom right}
:host([data-position=left]) .panel{right:auto;left:20px;transform-origin:bottom left}
@keyframes pin{from{opacity:0;transform:translateY(12px) scale(.98)}to{opacity:1;transform:none}}
.head{display:flex;align-items:center;gap:12px;padding:14px 14px 14px 18px;background:var(--pa);color:var(--pat)}
.who{flex:1;min-width:0}
.title{margin:0;font-size:16px;font-weight:650;line-height:1.3;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.avail{display:flex;align-items:center;gap:6px;font-size:13px;opacity:.92}
.dot{width:8px;height:8px;border-radius:50%;background:#9ca3af;box-shadow:0 0 0 2px rgba(255,255,255,.35)}
.on .dot{background:#22c55e}
.x{flex:none;width:36px;height:36px;border:0;border-radius:10px;background:transparent;color:inherit;cursor:pointer;display:flex;align-items:center;justify-content:center}
.x:hover{background:rgba(255,255,255,.16)}
.x svg{width:20px;height:20px}
button,textarea,input{font:inherit;color:inherit}
button:focus{outline:none}
button:focus-visible,a:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid var(--pa);outline-offset:2px}
.scroll:focus-visible{outline:3px solid var(--pa);outline-offset:-3px}
.head button:focus-visible{outline-color:var(--pat)}
.status{padding:7px 16px;font-size:13px;background:#fef3c7;color:#78350f;border-bottom:1px solid #fde68a}
.scroll{flex:1;overflow-y:auto;padding:16px 14px 8px;overscroll-behavior:contain;scroll-behavior:smooth}
.greet{margin:0 0 12px;padding:10px 13px;border-radius:14px 14px 14px 4px;background:var(--agent);max-width:85%;white-space:pre-wrap;overflow-wrap:anywhere}
.log{display:flex;flex-direction:column;gap:8px}
.msg{display:flex;flex-direction:column;align-items:flex-start;max-width:85%}
.msg[data-sender=visitor]{align-self:flex-end;align-items:flex-end}
.msg[data-sender=system]{align-self:center;align-items:center;max-width:92%}
.bubble{padding:9px 13px;border-radius:14px 14px 14px 4px;background:var(--agent);white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
.msg[data-sender=visitor] .bubble{background:var(--pa);color:var(--pat);border-radius:14px 14px 4px 14px}
.msg[data-sender=system] .bubble{background:transparent;color:var(--muted);font-size:12.5px;font-style:italic;text-align:center;padding:2px 6px}
.msg[data-state=pending] .bubble{outline:1px dashed var(--muted);outline-offset:1px}
.msg[data-state=failed] .bubble{outline:1px dashed var(--err);outline-offset:1px}
.bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.meta{margin-top:3px;font-size:11.5px;color:var(--muted);padding:0 4px}
.msg[data-state=failed] .meta{color:var(--err)}
.typing{padding:2px 18px 6px;font-size:12.5px;color:var(--muted);font-style:italic}
.card{margin:8px 14px;padding:12px 14px;border:1px solid var(--line);border-radius:12px;background:var(--soft)}
.card p{margin:0 0 10px}
.row{display:flex;gap:8px;flex-wrap:wrap}
.btn{border:1px solid var(--line);background:var(--bg);border-radius:9px;padding:8px 14px;cursor:pointer;font-weight:600}
.btn.primary{background:var(--pa);color:var(--pat);border-color:transparent}
.pre{display:grid;gap:8px}
.pre label{display:grid;gap:3px;font-size:12.5px;color:var(--muted)}
.pre input{font-size:16px;padding:7px 10px;border:1px solid var(--line);border-radius:8px;background:var(--bg);min-width:0}
.err{color:var(--err);font-size:12.5px}
.transcript{display:flex;align-items:center;gap:10px;flex-wrap:wrap;padding:2px 14px 8px}
.transcript .btn{padding:5px 10px;font-size:12.5px}
.transcript .note{margin:0;font-size:12.5px;color:var(--muted)}
.transcript .note.err{color:var(--err)}
.away p{margin:0 0 6px}
.rating{display:grid;gap:8px;margin-bottom:10px}
.rating p{margin:0}
.stars{display:flex;gap:2px}
.star{position:relative;cursor:pointer;font-size:26px;line-height:1;color:var(--muted)}
.star input{position:absolute;opacity:0;inset:0;margin:0;cursor:pointer}
.star:has(input:checked),.star:has(~ .star input:checked){color:#b45309}
.star:has(input:focus-visible){outline:2px solid var(--pa);outline-offset:2px;border-radius:4px}
.rating textarea{font:inherit;font-size:16px;padding:7px 10px;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg);resize:vertical}
.away .pre{margin-top:8px}
.away label{color:var(--fg)}
.compose{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 12px;border-top:1px solid var(--line);background:var(--bg)}
.compose textarea{flex:1;min-width:0;resize:none;font-size:16px;line-height:1.4;max-height:140px;min-height:42px;padding:9px 12px;
border:1px solid var(--line);border-radius:12px;background:var(--soft)}
.compose textarea::placeholder{color:var(--muted)}
.compose textarea:focus-visible{outline-width:2px;outline-offset:0;border-color:var(--pa)}
.send{flex:none;height:42px;padding:0 16px;border:0;border-radius:12px;background:var(--pa);color:var(--pat);font-weight:650;cursor:pointer}
.send:disabled{opacity:.5;cursor:default}
.attach{flex:none;width:42px;height:42px;border:0;border-radius:12px;background:transparent;color:var(--muted);cursor:pointer;display:flex;align-items:center;justify-content:center}
.attach:hover{background:var(--soft);color:var(--fg)}
.attach svg{width:22px;height:22px}
.drop{position:absolute;inset:8px;z-index:2;display:flex;align-items:center;justify-content:center;padding:20px;text-align:center;font-weight:650;
border:2px dashed var(--pa);border-radius:12px;background:var(--bg);color:var(--fg);opacity:.95;pointer-events:none}
.files{display:flex;flex-direction:column;gap:4px;margin-top:4px}
.msg[data-sender=visitor] .files{align-items:flex-end}
.thumb{display:block;max-width:min(220px,100%);line-height:0;border-radius:12px;overflow:hidden;border:1px solid var(--line)}
.thumb img{display:block;max-width:100%;max-height:220px;height:auto}
.file{display:flex;align-items:center;gap:8px;max-width:100%;padding:8px 12px;border:1px solid var(--line);border-radius:12px;background:var(--bg);color:var(--fg);text-decoration:none}
a.file:hover .name{text-decoration:underline}
.file .name{min-width:0;overflow-wrap:anywhere;font-weight:600}
.file .size{flex:none;font-size:12px;color:var(--muted)}
.files progress{width:100%;height:6px;accent-color:var(--pa)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){
.panel{inset:0;width:auto;height:auto;border-radius:0;border:0;animation:none}
:host([data-open=true]) .launcher{display:none}
.attach{width:44px;height:44px}
}
@media (prefers-reduced-motion:reduce){.panel{animation:none}.scroll{scroll-behavior:auto}}
`;
