/**
 * Renderer entry. `window.kubeServiceLab` is there already in Electron (the preload put it there); in the web
 * shell this page connects over the WebSocket and installs the same API itself. Everything after this line is
 * identical in both.
 */
import { mount } from 'svelte';
import type { KubeServiceLabApi } from '../main/contract';
import App from './App.svelte';
import './app.css';
import { connectWebShell } from './lib/api/web-adapter';

async function api(): Promise<KubeServiceLabApi> {
  // In the web shell, install the adapter where the preload would have put the API, so both look the same.
  window.kubeServiceLab ??= await connectWebShell(window.location);
  return window.kubeServiceLab;
}

const target = document.getElementById('app')!;
api().then(
  (kubeServiceLab) => mount(App, { target, props: { api: kubeServiceLab } }),
  (err: unknown) => {
    target.textContent = `Kube Service Lab could not start: ${err instanceof Error ? err.message : String(err)}`;
  },
);
