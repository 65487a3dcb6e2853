import { render } from 'preact';
import { App } from './app.js';
import { connectEvents } from './api/events.js';
import { lang, setLang } from './i18n/index.js';

setLang(lang.value);
connectEvents();
const root = document.getElementById('app');
if (root) render(<App />, root);
