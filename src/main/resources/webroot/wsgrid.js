/*
 * wsgrid.js — the browser (and Node.js) client of wsgrid, protocol v1. No dependencies.
 *
 *   const client = new WsgridClient("ws://127.0.0.1:8080/ws");
 *   client.subscribe("chat.lobby", pub => console.log(pub.offset, pub.data));
 *   client.publish("chat.lobby", {text: "hi"});
 *
 * When the connection drops it reconnects (through the edge; or, given a list of URLs, to the next
 * one) with exponential backoff and full jitter — a uniform wait in
 * [0, min(maxDelay, baseDelay * 2^attempt)] — resubscribes every channel with `since` its last
 * offset and epoch, and drops offsets it has already seen, so a subscriber receives what it missed
 * once and in order. Requests are paced within the message budget the node announces in its
 * `connected` frame, so a resubscribe of hundreds of channels is never refused; a subscribe refused
 * with rate_limited, unavailable or internal is retried after a backoff. A connection with no frame
 * for pingInterval gets {"op":"ping"}; when nothing comes back within pingTimeout it is taken for
 * dead (a frozen node or edge) and the client reconnects.
 *
 * Options: {baseDelay: 100, maxDelay: 10000, pingInterval: 25000 (0: never), pingTimeout: 10000,
 * connectTimeout: 10000 (ms), WebSocket: <constructor, for Node.js without a global WebSocket>,
 * token: "<JWT>" or a function returning one (or a promise of one), called at every (re)connect and
 * sent as the first frame {"op":"auth"} — not in the URL, so it stays out of access logs}.
 *
 * Callbacks: onconnected(node); onrecoveryfailed(channel); onerror(error) with error.code the
 * protocol's code (forbidden, unauthorized, too_large, …) and error.channel, for a subscribe refused
 * for good (the channel is dropped; its promise rejects too), or "policy_violation" when the node
 * closes the connection with 1008 (the client reconnects, with a growing backoff). Promises returned
 * by subscribe, unsubscribe, publish and presence reject on refusal; one left without a handler is
 * never an unhandled rejection (which would end a Node.js process).
 */
(function (root) {
  "use strict";

  const RETRYABLE = new Set(["rate_limited", "unavailable", "internal"]);

  function refusal(code, channel, message) {
    const error = new Error(code + ": " + message);
    error.code = code;
    error.channel = channel;
    return error;
  }

  /** Marks a promise handled: rejecting it must not end the process when the caller ignores it. */
  function handled(promise) {
    promise.catch(() => {});
    return promise;
  }

  /**
   * The node's token bucket as the client sees it, a little under the node's (90 % of the rate, a
   * tenth of the burst kept back) so that frames the network bunches together still fit.
   */
  class Pacer {
    constructor(limits, now) {
      const rate = limits && limits.rate > 0 ? limits.rate : 0;
      this.perMs = rate ? rate * 0.9 / 1000 : Infinity;
      this.burst = rate ? Math.max(1, limits.burst - Math.max(1, Math.ceil(limits.burst * 0.1))) : Infinity;
      this.tokens = this.burst;
      this.at = now;
    }
    delay(now) {
      this._refill(now);
      return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
    }
    take(now) {
      this._refill(now);
      this.tokens -= 1;
    }
    refused(now) {
      this._refill(now);
      this.tokens = Math.min(this.tokens, 0);
    }
    _refill(now) {
      if (now > this.at && this.tokens < this.burst) this.tokens = Math.min(this.burst, this.tokens + (now - this.at) * this.perMs);
      this.at = Math.max(this.at, now);
    }
  }

  class WsgridClient {
    constructor(url, options = {}) {
      this.urls = Array.isArray(url) ? url.slice() : [url];
      if (this.urls.length === 0) throw new Error("give at least one URL (ws://edge:8080/ws)");
      this.urlIndex = 0;
      this.baseDelay = options.baseDelay || 100;
      this.maxDelay = options.maxDelay || 10000;
      this.pingInterval = options.pingInterval === undefined ? 25000 : options.pingInterval;
      this.pingTimeout = options.pingTimeout || 10000;
      this.connectTimeout = options.connectTimeout || 10000;
      this.WebSocketImpl = options.WebSocket || root.WebSocket;
      this.token = options.token || null;
      if (!this.WebSocketImpl) throw new Error("no WebSocket: pass options.WebSocket (e.g. require('ws'))");
      this.subscriptions = new Map(); // channel -> {handler, offset, epoch, waiters, retries, confirmedOn}
      this.pending = new Map();       // id -> {body, resolve, reject}
      this.queue = [];                // requests waiting for the pacer
      this.pacer = new Pacer(null, 0);
      this.connection = 0;            // numbers the connections; replies and timers of older ones are ignored
      this.ready = false;
      this.nextId = 1;
      this.attempt = 0;
      this.closed = false;
      this.node = null;
      this.reconnects = 0;
      this.onconnected = null;        // (node) => …
      this.onrecoveryfailed = null;   // (channel) => …
      this.onerror = null;            // (error) => …, error.code and error.channel
      this._open();
    }

    /** Resolves with the node's reply once subscribed (after a reconnect if need be); rejects when refused. */
    subscribe(channel, handler) {
      const previous = this.subscriptions.get(channel);
      const sub = {handler, offset: -1, epoch: null, waiters: previous ? previous.waiters : [], retries: 0, confirmedOn: -1};
      this.subscriptions.set(channel, sub);
      const subscribed = new Promise((resolve, reject) => sub.waiters.push({resolve, reject}));
      if (this.ready) this._subscribe(channel, sub);
      return handled(subscribed);
    }

    unsubscribe(channel) {
      const sub = this.subscriptions.get(channel);
      this.subscriptions.delete(channel);
      if (sub) this._settle(sub, null, refusal("unsubscribed", channel, "unsubscribed before the node confirmed"));
      if (!this.ready) return Promise.resolve(null); // nothing to tell a node
      return handled(this._request({op: "unsubscribe", channel}));
    }

    publish(channel, data) {
      return handled(this._request({op: "publish", channel, data}).then(r => r.offset));
    }

    presence(channel) {
      return handled(this._request({op: "presence", channel}).then(r => r.clients));
    }

    close() {
      this.closed = true;
      const socket = this.socket;
      this._detach();
      for (const [channel, sub] of this.subscriptions) this._settle(sub, null, refusal("disconnected", channel, "client closed"));
      if (socket) socket.close(1000, "client closed");
    }

    _open() {
      const socket = new this.WebSocketImpl(this.urls[this.urlIndex]);
      const connection = ++this.connection;
      this.socket = socket;
      this.lastReceived = Date.now();
      this.pingSentAt = 0;
      socket.onmessage = event => {
        if (socket === this.socket) this._onMessage(JSON.parse(typeof event.data === "string" ? event.data : String(event.data)));
      };
      socket.onclose = event => this._onClose(socket, event);
      socket.onerror = () => { /* onclose follows */ };
      this._watch(connection);
    }

    _onMessage(frame) {
      this.lastReceived = Date.now();
      this.pingSentAt = 0;
      if (frame.op === "connected") {
        if (this.everConnected) this.reconnects++;
        this.everConnected = true;
        this.node = frame.node;
        this.pacer = new Pacer(frame.limits, this.lastReceived);
        const connection = this.connection;
        const resubscribe = () => {
          if (connection !== this.connection) return;
          this.ready = true;
          for (const [channel, sub] of this.subscriptions) this._subscribe(channel, sub);
          this._pump();
          this._call(this.onconnected, frame.node); // after the resubscribes: a subscribe it makes goes once
        };
        if (!this.token) {
          resubscribe();
        } else {
          Promise.resolve(typeof this.token === "function" ? this.token() : this.token)
            .then(token => this._send({op: "auth", token}))
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
      if (!frame.error) {
        waiter.resolve(frame);
        return;
      }
      if (frame.error.code === "rate_limited") this.pacer.refused(Date.now());
      waiter.reject(refusal(frame.error.code, waiter.body.channel, frame.error.message));
    }

    _subscribe(channel, sub) {
      const request = {op: "subscribe", channel};
      const recovering = sub.epoch !== null; // offset -1: nothing received yet, replay from the start
      if (recovering) request.since = {offset: sub.offset, epoch: sub.epoch};
      const connection = this.connection;
      this._request(request).then(reply => {
        if (this.subscriptions.get(channel) === sub) {
          sub.retries = 0;
          sub.confirmedOn = connection;
          if (recovering && !reply.recovered) this._call(this.onrecoveryfailed, channel);
          if (reply.epoch !== undefined) {
            if (reply.epoch !== sub.epoch) sub.offset = reply.offset;
            else if (!reply.recovered) sub.offset = Math.max(sub.offset, reply.offset);
            sub.epoch = reply.epoch;
          }
        }
        this._settle(sub, reply, null);
      }).catch(error => {
        if (this.subscriptions.get(channel) !== sub || error.code === "disconnected") return; // the next connection resubscribes
        if (RETRYABLE.has(error.code)) {
          setTimeout(() => {
            if (connection === this.connection && this.ready && this.subscriptions.get(channel) === sub) this._subscribe(channel, sub);
          }, Math.max(1, Math.random() * this._ceiling(sub.retries++)));
          return;
        }
        this.subscriptions.delete(channel);
        this._settle(sub, null, error);
        this._report(error);
      });
    }

    _settle(sub, reply, error) {
      const waiters = sub.waiters.splice(0);
      for (const waiter of waiters) error ? waiter.reject(error) : waiter.resolve(reply);
    }

    _report(error) {
      if (this.onerror) this._call(this.onerror, error);
      else if (root.console) root.console.warn("wsgrid: " + error.message);
    }

    /** Calls an application callback; one that throws is logged, never breaks the client. */
    _call(callback, argument) {
      if (!callback) return;
      try {
        callback(argument);
      } catch (e) {
        if (root.console) root.console.error("wsgrid: a callback threw", e);
      }
    }

    /** Queues a request behind the pacer; rejects at once while reconnecting. */
    _request(body) {
      if (!this.socket || this.socket.readyState > 1) {
        return Promise.reject(refusal("disconnected", body.channel, "not connected; reconnecting"));
      }
      return new Promise((resolve, reject) => {
        this.queue.push({body, resolve, reject});
        this._pump();
      });
    }

    /** Sends at once, outside the pacer (auth before anything else, a ping that may not wait). */
    _send(body) {
      if (!this.socket || this.socket.readyState !== 1) return Promise.reject(refusal("disconnected", body.channel, "not connected"));
      this.pacer.take(Date.now());
      return new Promise((resolve, reject) => this._write({body, resolve, reject}));
    }

    _write(request) {
      const id = this.nextId++;
      this.pending.set(id, request);
      this.socket.send(JSON.stringify(Object.assign({id}, request.body)));
    }

    _pump() {
      if (!this.ready || this.pumpTimer) return;
      while (this.queue.length) {
        const now = Date.now();
        const wait = this.pacer.delay(now);
        if (wait > 0) {
          this.pumpTimer = setTimeout(() => { this.pumpTimer = null; this._pump(); }, wait);
          return;
        }
        this.pacer.take(now);
        this._write(this.queue.shift());
      }
    }

    /** Gives up on a connection that does not open in time, pings a quiet one, drops a silent one. */
    _watch(connection) {
      const tick = Math.max(20, Math.min(1000, Math.min(this.pingInterval || Infinity, this.pingTimeout, this.connectTimeout) / 4));
      const opened = Date.now();
      this.watchTimer = setInterval(() => {
        if (connection !== this.connection) return clearInterval(this.watchTimer);
        const now = Date.now();
        const socket = this.socket;
        if (socket.readyState === 0) {
          if (now - opened >= this.connectTimeout) this._abandon(socket, "no connection within " + this.connectTimeout + " ms");
        } else if (this.pingInterval > 0 && socket.readyState === 1) {
          if (!this.pingSentAt && now - this.lastReceived >= this.pingInterval) {
            this.pingSentAt = now;
            this._send({op: "ping"}).catch(() => {});
          } else if (this.pingSentAt && now - this.pingSentAt >= this.pingTimeout) {
            this._abandon(socket, "no answer within " + this.pingTimeout + " ms of a ping");
          }
        }
      }, tick);
    }

    _abandon(socket, why) {
      if (root.console) root.console.warn("wsgrid: " + why + "; reconnecting");
      this._dropped(false);
      try {
        socket.close(1000, "no answer");
      } catch (e) {
        /* already closing */
      }
    }

    _onClose(socket, event) {
      if (socket !== this.socket) return;
      const refused = event && event.code === 1008;
      if (refused && !this.closed) {
        this._report(refusal("policy_violation", undefined, "the node closed the connection with 1008 (" + (event.reason || "no reason")
          + "); reconnecting with backoff"));
      }
      this._dropped(refused);
    }

    /**
     * The connection is gone: reject what waits on it and reconnect. The backoff starts over only
     * after a healthy connection (every subscription confirmed, no 1008), so a client the node keeps
     * refusing slows down instead of reconnecting in a loop.
     */
    _dropped(refused) {
      let healthy = this.ready && !refused;
      for (const sub of this.subscriptions.values()) healthy = healthy && sub.confirmedOn === this.connection;
      this._detach();
      if (healthy) this.attempt = 0;
      if (this.closed) return;
      this.urlIndex = (this.urlIndex + 1) % this.urls.length;
      setTimeout(() => { if (!this.closed) this._open(); }, Math.random() * this._ceiling(this.attempt++));
    }

    _detach() {
      this.socket = null;
      this.node = null;
      this.ready = false;
      this.connection++;
      clearTimeout(this.pumpTimer);
      clearInterval(this.watchTimer);
      this.pumpTimer = null;
      const waiting = Array.from(this.pending.values()).concat(this.queue);
      this.pending.clear();
      this.queue = [];
      for (const request of waiting) request.reject(refusal("disconnected", request.body.channel, "connection closed"));
    }

    _ceiling(attempt) {
      return Math.min(this.maxDelay, this.baseDelay * Math.pow(2, Math.min(attempt, 30)));
    }
  }

  if (typeof module === "object" && module.exports) module.exports = {WsgridClient};
  else root.WsgridClient = WsgridClient;
})(typeof globalThis !== "undefined" ? globalThis : this);
