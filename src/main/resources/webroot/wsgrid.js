/*
 * wsgrid.js — the browser (and Node.js) client of wsgrid, protocol v1. No dependencies.
 *
 *   const client = new WsgridClient("ws://127.0.0.1:8080/ws");
 *   client.subscribe("chat.lobby", pub => console.log(pub.offset, pub.data));
 *   client.publish("chat.lobby", {text: "hi"});
 *
 * When the connection drops it reconnects (through the edge) with exponential backoff and full
 * jitter — a uniform wait in [0, min(maxDelay, baseDelay * 2^attempt)] — resubscribes every
 * channel with `since` its last offset and epoch, and drops offsets it has already seen, so a
 * subscriber receives what it missed once and in order. Options: {baseDelay: 100, maxDelay: 10000,
 * WebSocket: <constructor, for Node.js without a global WebSocket>, token: "<JWT>" or a function
 * returning one (or a promise of one), called at every (re)connect and sent as the first frame
 * {"op":"auth"} — not in the URL, so it stays out of access logs}.
 */
(function (root) {
  "use strict";

  class WsgridClient {
    constructor(url, options = {}) {
      this.url = url;
      this.baseDelay = options.baseDelay || 100;
      this.maxDelay = options.maxDelay || 10000;
      this.WebSocketImpl = options.WebSocket || root.WebSocket;
      this.token = options.token || null;
      if (!this.WebSocketImpl) throw new Error("no WebSocket: pass options.WebSocket (e.g. require('ws'))");
      this.subscriptions = new Map(); // channel -> {handler, offset, epoch}
      this.pending = new Map();       // id -> {resolve, reject}
      this.nextId = 1;
      this.attempt = 0;
      this.closed = false;
      this.node = null;
      this.reconnects = 0;
      this.onconnected = null;        // (node) => …
      this.onrecoveryfailed = null;   // (channel) => …
      this._open();
    }

    subscribe(channel, handler) {
      const sub = {handler, offset: -1, epoch: null};
      this.subscriptions.set(channel, sub);
      return this.node ? this._subscribe(channel, sub) : Promise.resolve(null);
    }

    unsubscribe(channel) {
      this.subscriptions.delete(channel);
      return this._request({op: "unsubscribe", channel});
    }

    publish(channel, data) {
      return this._request({op: "publish", channel, data}).then(r => r.offset);
    }

    presence(channel) {
      return this._request({op: "presence", channel}).then(r => r.clients);
    }

    close() {
      this.closed = true;
      if (this.socket) this.socket.close(1000, "client closed");
    }

    _open() {
      const socket = new this.WebSocketImpl(this.url);
      this.socket = socket;
      socket.onmessage = event => this._onMessage(JSON.parse(typeof event.data === "string" ? event.data : String(event.data)));
      socket.onclose = () => this._onClose(socket);
      socket.onerror = () => { /* onclose follows */ };
    }

    _onMessage(frame) {
      if (frame.op === "connected") {
        if (this.everConnected) this.reconnects++;
        this.everConnected = true;
        this.node = frame.node;
        this.attempt = 0;
        const resubscribe = () => {
          if (this.onconnected) this.onconnected(frame.node);
          for (const [channel, sub] of this.subscriptions) this._subscribe(channel, sub);
        };
        if (!this.token) {
          resubscribe();
        } else {
          Promise.resolve(typeof this.token === "function" ? this.token() : this.token)
            .then(token => this._request({op: "auth", token}))
            .then(resubscribe, () => { /* the node closes the socket with 1008 and a reason */ });
        }
        return;
      }
      if (frame.channel !== undefined && "data" in frame && frame.id === undefined) {
        const sub = this.subscriptions.get(frame.channel);
        if (!sub) return;
        if (typeof frame.offset === "number") {
          if (frame.offset <= sub.offset) return; // seen before a reconnect
          sub.offset = frame.offset;
        }
        sub.handler(frame);
        return;
      }
      const waiter = this.pending.get(frame.id);
      if (!waiter) return;
      this.pending.delete(frame.id);
      if (frame.error) waiter.reject(new Error(frame.error.code + ": " + frame.error.message));
      else waiter.resolve(frame);
    }

    _subscribe(channel, sub) {
      const request = {op: "subscribe", channel};
      const recovering = sub.epoch !== null; // offset -1: nothing received yet, replay from the start
      if (recovering) request.since = {offset: sub.offset, epoch: sub.epoch};
      return this._request(request).then(reply => {
        if (recovering && !reply.recovered && this.onrecoveryfailed) this.onrecoveryfailed(channel);
        if (reply.epoch === undefined) return reply;
        if (reply.epoch !== sub.epoch) sub.offset = reply.offset;
        else if (!reply.recovered) sub.offset = Math.max(sub.offset, reply.offset);
        sub.epoch = reply.epoch;
        return reply;
      });
    }

    _request(body) {
      if (!this.socket || this.socket.readyState !== 1) return Promise.reject(new Error("not connected; reconnecting"));
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, {resolve, reject});
        this.socket.send(JSON.stringify(Object.assign({id}, body)));
      });
    }

    _onClose(socket) {
      if (socket !== this.socket) return;
      this.node = null;
      for (const waiter of this.pending.values()) waiter.reject(new Error("connection closed"));
      this.pending.clear();
      if (this.closed) return;
      const ceiling = Math.min(this.maxDelay, this.baseDelay * Math.pow(2, Math.min(this.attempt++, 30)));
      setTimeout(() => { if (!this.closed) this._open(); }, Math.random() * ceiling);
    }
  }

  if (typeof module === "object" && module.exports) module.exports = {WsgridClient};
  else root.WsgridClient = WsgridClient;
})(typeof globalThis !== "undefined" ? globalThis : this);
