import type { Boot } from '../shared.js';
import { realClock } from '../../shared/clock.js';
import { mountWidget } from './widget.js';

/** `live-chat-app.js`: registers the chat code; the loader mounts it into its shadow root. */
window.ParleyWidgetApp = { mount: (boot: Boot) => mountWidget(boot, realClock) };
