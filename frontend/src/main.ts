import { mount } from 'svelte';
import App from './App.svelte';
import { httpApi } from './lib/api';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');

function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: sessions last as long as the page
  }
}

// The live client: REST under /api and the WebSocket on this origin. A
// participant's or observer's token is kept in localStorage so that a reload
// or a phone that drops the tab does not lose the seat.
const api = httpApi({ storage: localStore(), window });
mount(App, { target, props: { api } });
