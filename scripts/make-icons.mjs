#!/usr/bin/env node
// Draws the dashboard's app icons (docs/dashboard.md, "Install as an app") into
// web/dashboard/install/: run once by hand after changing the drawing (`node scripts/make-icons.mjs`),
// and commit the PNGs. Chromium draws the SVG below and a screenshot saves it; nothing to install.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = fileURLToPath(new URL('../web/dashboard/install/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BLUE = '#2f5bea';

/** A white speech bubble with three dots, its size a share of the icon (smaller for a maskable icon's safe zone). */
function bubble(share) {
  const s = share * 100;
  const x = 50 - s / 2;
  const y = 50 - s * 0.45;
  const h = s * 0.72;
  const dots = [0.3, 0.5, 0.7].map((f) => `<circle cx="${x + s * f}" cy="${y + h / 2}" r="${s * 0.07}" fill="${BLUE}"/>`).join('');
  return (
    `<rect x="${x}" y="${y}" width="${s}" height="${h}" rx="${s * 0.2}" fill="#fff"/>` +
    `<path d="M${x + s * 0.22} ${y + h - 1} l0 ${s * 0.22} l${s * 0.24} -${s * 0.22} z" fill="#fff"/>` +
    dots
  );
}

const ICONS = [
  // "any": a rounded tile on a transparent background.
  { file: 'icon-192.png', size: 192, svg: `<rect width="100" height="100" rx="22" fill="${BLUE}"/>${bubble(0.62)}` },
  { file: 'icon-512.png', size: 512, svg: `<rect width="100" height="100" rx="22" fill="${BLUE}"/>${bubble(0.62)}` },
  // "maskable": full bleed, the drawing inside the central 80 % circle that every mask keeps.
  { file: 'icon-maskable-512.png', size: 512, svg: `<rect width="100" height="100" fill="${BLUE}"/>${bubble(0.48)}` },
  // iOS rounds the corners itself and shows transparency as black: full bleed.
  { file: 'apple-touch-icon.png', size: 180, svg: `<rect width="100" height="100" fill="${BLUE}"/>${bubble(0.56)}` },
];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const { file, size, svg } of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="${size}" height="${size}" style="display:block">${svg}</svg></body></html>`,
    );
    await page.screenshot({ path: join(OUT, file), omitBackground: true });
    await page.close();
    console.log(`icons: ${file} ${size}×${size}`);
  }
} finally {
  await browser.close();
}
