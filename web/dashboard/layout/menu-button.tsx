/**
 * The top bar's Menu button, shown only at phone widths (docs/dashboard.md, "On a phone"): it
 * shows or hides the page links, the notification switches and Log out, which the top bar's
 * `menu-open` class reveals there. The folded parts are not one element, so the button says
 * whether they show (`aria-expanded`) rather than pointing at a single region.
 */
export function MenuButton({ open, onToggle }: { open: boolean; onToggle(): void }) {
  return (
    <button type="button" class="menu-button phone-only" data-parley="menu" aria-expanded={open} onClick={onToggle}>
      Menu
    </button>
  );
}
