/* CollEx search widget: <collex-search> web component.
 *
 *   <script src="https://COLLEX-SERVER/widget.js" defer></script>
 *   <collex-search network="mondes-orientaux" lang="fr" limit="10"></collex-search>
 *
 * Attributes (all optional): network, institution (ISIL), discipline (code) fix a filter;
 * q, an initial query; lang, fr (default) or en; limit, 1-50; server, the CollEx service
 * (defaults to where this script was loaded from). Works from any origin (CORS).
 */
(function () {
  var scriptSrc = document.currentScript && document.currentScript.src;
  var defaultServer = scriptSrc ? new URL(scriptSrc).origin : window.location.origin;
  var TEXT = {
    fr: { label: "Rechercher dans les collections", button: "Rechercher", none: "Aucune collection trouvée.",
          results: function (n) { return n + " collection" + (n > 1 ? "s" : ""); }, more: "Voir tous les résultats", error: "Service indisponible." },
    en: { label: "Search the collections", button: "Search", none: "No collection found.",
          results: function (n) { return n + " collection" + (n > 1 ? "s" : ""); }, more: "See all results", error: "Service unavailable." }
  };
  class CollexSearch extends HTMLElement {
    connectedCallback() {
      var t = TEXT[this.getAttribute("lang") === "en" ? "en" : "fr"];
      var root = this.attachShadow({ mode: "open" });
      root.innerHTML =
        '<style>:host{display:block;font:15px/1.45 system-ui,sans-serif;color:#1b1b1b;max-width:48rem}' +
        'form{display:flex;gap:.4rem}input{flex:1;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:4px}' +
        'button{font:inherit;padding:.4rem .9rem;background:#00449e;color:#fff;border:0;border-radius:4px;cursor:pointer}' +
        'ol{padding-left:1.2rem}li{margin:.35rem 0}a{color:#00449e}.meta{color:#4a4a4a;font-size:.9em}' +
        ':focus-visible{outline:3px solid #ffbf47;outline-offset:2px}</style>' +
        '<form role="search"><label><span class="sr"></span><input type="search" part="input"></label>' +
        '<button type="submit" part="button"></button></form><p class="meta" role="status" aria-live="polite"></p><ol></ol><p class="more"></p>';
      this._t = t;
      this._server = (this.getAttribute("server") || defaultServer).replace(/\/$/, "");
      var input = root.querySelector("input");
      input.setAttribute("aria-label", t.label);
      input.placeholder = t.label;
      input.value = this.getAttribute("q") || "";
      root.querySelector("button").textContent = t.button;
      var self = this;
      root.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); self.search(input.value); });
      this.search(input.value);
    }
    params(q) {
      var p = new URLSearchParams();
      if (q) p.set("q", q);
      ["network", "institution", "discipline"].forEach(function (name) {
        var v = this.getAttribute(name); if (v) p.append(name, v);
      }, this);
      var limit = parseInt(this.getAttribute("limit") || "10", 10);
      p.set("limit", String(Math.max(1, Math.min(50, isNaN(limit) ? 10 : limit))));
      return p;
    }
    search(q) {
      var root = this.shadowRoot, t = this._t, server = this._server, params = this.params(q);
      var status = root.querySelector("[role=status]"), list = root.querySelector("ol"), more = root.querySelector(".more");
      fetch(server + "/api/collections?" + params.toString(), { headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (page) {
          list.textContent = ""; more.textContent = "";
          status.textContent = page.total ? t.results(page.total) : t.none;
          page.items.forEach(function (it) {
            var li = document.createElement("li"), a = document.createElement("a");
            a.href = server + "/id/collection/" + encodeURIComponent(it.key); a.textContent = it.title; a.target = "_blank"; a.rel = "noopener";
            var meta = document.createElement("div"); meta.className = "meta";
            meta.textContent = [it.holder, it.dates].filter(Boolean).join(" · ");
            li.appendChild(a); li.appendChild(meta); list.appendChild(li);
          });
          if (page.total > page.items.length) {
            var link = document.createElement("a"); params.delete("limit");
            link.href = server + "/search?" + params.toString(); link.textContent = t.more; link.target = "_blank";
            more.appendChild(link);
          }
        })
        .catch(function () { status.textContent = t.error; });
    }
  }
  if (!customElements.get("collex-search")) customElements.define("collex-search", CollexSearch);
})();
