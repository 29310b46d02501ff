// readiness.js: the readiness checklist (READINESS: open issues, void
// consensus, approvals and signatures per party) with the legal reviewer's
// approve / request changes (its comment internal or shared), the
// signatory's sign and the withdrawal of a standing signature. Each shows
// the exact version number and SHA-256 it binds to, as sent in the command.

import { h, replace, update, when, errorBox, field, radios, nextId, announce } from './dom.js';
import { STATUS_LABEL } from './state.js';
import { Carry, carryWords } from './carry.js';

export class ReadinessPanel {
  constructor(room) {
    this.room = room;
    this.summary = h('div', { class: 'r-summary' });
    this.checks = h('ul', { class: 'checklist', id: 'checklist' });

    // legal review
    this.reviewTarget = h('p', { class: 'r-target', id: 'review-target' });
    this.since = h('p', { class: 'r-since' });
    this.reviewBody = h('textarea', { rows: '3', id: 'review-body' });
    // No default: a reviewer who writes a comment chooses who reads it, and
    // the form says it in words (and colour) while she types.
    const me = room.user.party;
    this.reviewVis = radios('signoff-visibility', [
      ['internal', `Internal: ${me} only`],
      ['shared', 'Shared with all parties'],
    ], null);
    for (const input of this.reviewVis.inputs.values()) input.addEventListener('change', () => { this.reviewErr.clear(); this.showAudience(); });
    const visHint = h('p', { class: 'hint', id: nextId('hint') }, 'The decision is always visible to every party; an internal comment is not.');
    this.reviewAudience = h('p', { class: 'audience', id: 'review-audience', 'aria-live': 'polite' });
    this.reviewVisField = h('fieldset', { class: 'r-visibility vis-choice', 'aria-describedby': visHint.id },
      h('legend', null, 'Who sees your comment (choose one)'), this.reviewVis.el, visHint);
    this.reviewBody.setAttribute('aria-describedby', this.reviewAudience.id);
    this.reviewBody.addEventListener('input', () => this.showAudience());
    this.reviewErr = errorBox();
    this.approveBtn = h('button', { type: 'button', class: 'primary', id: 'approve', onclick: () => this.signOff('approve') });
    this.changesBtn = h('button', { type: 'button', class: 'secondary', id: 'request-changes', onclick: () => this.signOff('request_changes') }, 'Request changes');
    // review carry (carry.js): the articles changed since the reviewer's
    // last approval; approving then carries that review
    this.carry = new Carry(room);
    this.review = h('section', { class: 'card r-review', 'aria-labelledby': 'review-h' },
      h('h3', { id: 'review-h' }, 'Your legal review'), this.reviewTarget, this.since, this.carry.el,
      field('Comment (optional)', this.reviewBody), this.reviewVisField, this.reviewAudience, this.reviewErr.el,
      h('div', { class: 'buttons' }, this.approveBtn, this.changesBtn));

    // signature
    this.signInfo = h('p', { class: 'r-target', id: 'sign-target', tabindex: '-1' });
    this.signErr = errorBox();
    this.signBtn = h('button', { type: 'button', class: 'primary', id: 'sign', onclick: () => this.confirmSign() });
    this.dialogText = h('div');
    this.confirmBtn = h('button', { type: 'button', class: 'primary', id: 'confirm-sign', onclick: () => this.sign() }, 'Sign');
    // Cancel is the default (focused, so Enter cancels): signing takes an
    // explicit activation of "Sign"
    this.cancelSign = h('button', { type: 'button', class: 'secondary', id: 'cancel-sign', autofocus: true, onclick: () => this.dialog.close() }, 'Cancel');
    this.dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'sign-dialog-h' },
      h('h2', { id: 'sign-dialog-h' }, 'Sign the agreement'), this.dialogText,
      h('div', { class: 'buttons' }, this.cancelSign, this.confirmBtn));
    this.dialog.addEventListener('close', () => { if (!this.signing.hidden && !this.signBtn.hidden) this.signBtn.focus(); });
    // withdrawing a standing signature: a serious act, so a reason and a
    // confirmation step
    this.withdrawBtn = h('button', { type: 'button', class: 'danger', id: 'withdraw-signature', onclick: () => this.confirmWithdraw() }, 'Withdraw our signature');
    this.withdrawText = h('div');
    this.withdrawReason = h('textarea', { rows: '3', id: 'withdraw-reason', required: true });
    this.withdrawErr = errorBox();
    this.withdrawReason.addEventListener('input', () => this.withdrawErr.clear());
    this.withdrawConfirm = h('button', { type: 'submit', class: 'danger', id: 'confirm-withdraw' }, 'Withdraw our signature');
    this.withdrawForm = h('form', { method: 'dialog', novalidate: true }, this.withdrawText,
      field('Reason (required; every party sees it)', this.withdrawReason), this.withdrawErr.el,
      h('div', { class: 'buttons' }, this.withdrawConfirm, h('button', { type: 'button', class: 'secondary', onclick: () => this.withdrawDialog.close() }, 'Cancel')));
    this.withdrawForm.addEventListener('submit', (e) => { e.preventDefault(); this.withdraw(); });
    this.withdrawDialog = h('dialog', { class: 'confirm', id: 'withdraw-dialog', 'aria-labelledby': 'withdraw-dialog-h' },
      h('h2', { id: 'withdraw-dialog-h' }, 'Withdraw our signature'), this.withdrawForm);
    this.signing = h('section', { class: 'card r-sign', 'aria-labelledby': 'sign-h' },
      h('h3', { id: 'sign-h' }, 'Signature'), this.signInfo, this.signErr.el, h('div', { class: 'buttons' }, this.signBtn, this.withdrawBtn),
      this.dialog, this.withdrawDialog);

    this.history = h('div', { class: 'r-history' });
    this.el = h('div', { class: 'side readiness' },
      h('h2', { class: 'sr-only' }, 'Readiness'), this.summary, this.checks, this.review, this.signing, this.history);
  }

  render() {
    const st = this.room.st;
    const r = st.readiness;
    const latest = st.latest();
    update(this.summary, JSON.stringify([r.status, r.version, r.sha256, st.versions.length]), () => [
      h('p', null, h('span', { class: `badge st-${r.status}`, id: 'readiness-status' }, STATUS_LABEL[r.status] || r.status)),
      latest ? [h('p', null, `Version ${r.version} of ${st.versions.length}`), h('p', { class: 'hash-line' }, 'SHA-256 ', h('code', { class: 'hash-full' }, r.sha256))]
        : h('p', { class: 'muted' }, 'Nothing to review until a text is proposed.')]);
    update(this.checks, JSON.stringify([r, st.signatures.length]), () => (latest ? this.checklist(st, r) : []));
    this.renderReview(st, latest);
    this.renderSigning(st, r, latest);
    const offs = st.signOffView().sort((a, b) => String(b.at).localeCompare(String(a.at)));
    update(this.history, JSON.stringify(offs), () => [h('h3', null, 'Legal decisions'),
      offs.length ? h('ul', { class: 'decisions', id: 'decisions' }, offs.map((s) => this.decision(st, s)))
        : h('p', { class: 'muted' }, 'No legal decisions yet.')]);
  }

  // showAudience names who will see the reviewer's comment, and marks the
  // form internal or shared, while she types.
  showAudience() {
    const room = this.room;
    const v = this.reviewVis.value();
    const me = room.user.party;
    const others = (room.st.meta.parties || []).filter((p) => p !== me);
    this.review.classList.toggle('vis-internal', v === 'internal');
    this.review.classList.toggle('vis-shared', v === 'shared');
    this.review.dataset.visibility = v || '';
    this.reviewAudience.textContent = !this.reviewBody.value.trim() ? (v ? '' : 'With a comment, choose who will see it.')
      : v === 'internal' ? `Only ${me} will see your comment.`
        : v === 'shared' ? `${[...others, me].join(' and ').replace(/ and (?=.* and )/g, ', ')} will see your comment.`
          : 'Choose who will see your comment.';
  }

  // decision is one entry of the sign-off list. An internal one is marked
  // so; its body shows only when the snapshot or an event gave it (to the
  // reviewer's own party), never a guess.
  decision(st, s) {
    const internal = s.visibility !== 'shared';
    const own = s.party === this.room.user.party;
    return h('li', { class: `${s.stale ? 'stale' : ''}${internal ? ' internal' : ''}`, dataset: { user: s.user, version: String(s.version) } },
      h('strong', null, st.userName(s.user)), ` (${s.party}) ${s.decision === 'approve' ? 'approved' : 'requested changes to'} version ${s.version} `, when(s.at), ' ',
      internal
        ? h('span', { class: 'pill internal' }, own ? `Internal · ${s.party} only` : `Internal · any comment stays with ${s.party}`)
        : h('span', { class: 'pill shared' }, 'Shared'),
      s.stale ? h('span', { class: 'pill' }, 'superseded by a newer version') : null,
      s.carry ? h('p', { class: 'carry-line' }, carryWords(s.carry)) : null,
      s.body ? h('p', { class: 'm-body' }, s.body) : null);
  }

  // checklist lists what readiness rests on, each done or to do.
  checklist(st, r) {
    const item = (ok, text, action) => h('li', { class: ok ? 'ok' : 'todo' },
      h('span', { class: 'mark', 'aria-hidden': 'true' }, ok ? '✓' : '✗'),
      h('span', { class: 'c-text' }, h('span', { class: 'sr-only' }, ok ? 'Done: ' : 'To do: '), text, action || null));
    const items = [
      item(r.open_issues === 0, r.open_issues === 0 ? 'No open issues.' : `${r.open_issues} open issue${r.open_issues === 1 ? '' : 's'} to resolve.`,
        r.open_issues ? this.showThreads('open_issue', 'open') : null),
      item(r.void_consensus === 0, r.void_consensus === 0 ? 'No void consensus.' : `${r.void_consensus} void consensus to confirm again.`,
        r.void_consensus ? this.showThreads('consensus', 'void') : null),
    ];
    for (const p of st.meta.parties) {
      const a = r.approvals[p] || { approved: 0, required: 1, changes_requested: 0 };
      const ok = a.approved >= a.required && a.changes_requested === 0;
      const by = (a.changes_requested_by || []).map((u) => st.userName(u)).join(', ');
      items.push(item(ok, `${p} legal approval: ${a.approved} of ${a.required}${a.changes_requested ? `; changes requested by ${by || a.changes_requested}` : ''}.`));
    }
    for (const p of st.meta.parties) {
      const s = st.signatures.find((x) => x.party === p && x.version === r.version);
      items.push(item(!!r.signatures[p], s ? [`${p} signed (${st.userName(s.user)}, `, when(s.at), ').'] : `${p} has not signed.`));
    }
    const signed = st.signedParties();
    if (signed.length && r.status !== 'signed') {
      items.push(h('li', { class: 'note', id: 'signing-note' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, '!'), h('span', { class: 'c-text' },
        signed.length === 1 ? `While ${signed[0]}’s signature stands, no new version can be proposed; ${signed[0]}’s signatory can withdraw it.`
          : `While the signatures of ${signed.join(' and ')} stand, no new version can be proposed; their signatories can withdraw them.`)));
    }
    return items;
  }

  // showThreads is a button that filters the threads panel to what blocks.
  showThreads(kind, status) {
    const room = this.room;
    return h('button', {
      type: 'button', class: 'link', onclick: () => {
        const p = room.threads;
        p.kindSel.value = kind; p.statusSel.value = status; p.partySel.value = ''; p.visSel.value = 'shared';
        p.filter = { kind, status, party: '', visibility: 'shared' };
        room.showSide('threads');
        room.render();
      },
    }, ' Show them');
  }

  renderReview(st, latest) {
    const room = this.room;
    const may = room.may;
    this.review.hidden = !may.isLegal || !latest || st.frozen;
    if (this.review.hidden) return;
    update(this.reviewTarget, latest.sha256, () => [`You are reviewing version ${latest.version}, SHA-256 `, h('code', { class: 'hash-full' }, latest.sha256), '.']);
    this.approveBtn.textContent = `Approve version ${latest.version}`;
    const mine = st.signOffs.find((s) => s.user === room.user.id && s.version === latest.version);
    const last = st.lastApproval(room.user.id);
    update(this.since, JSON.stringify([mine, last, latest.version]), () => [
      mine ? [`Your decision on this version: ${mine.decision === 'approve' ? 'approved' : 'changes requested'} `, when(mine.at), '. A new decision replaces it. '] : null,
      mine && mine.carry ? h('span', { class: 'carry-line', id: 'carry-done' }, `${carryWords(mine.carry)} `) : null,
      last && last.version < latest.version ? [`You last approved version ${last.version}. `,
        h('button', { type: 'button', class: 'link', id: 'changes-since-approval', onclick: () => room.compare.show(last.version, latest.version) },
          `Show what changed since version ${last.version}`)] : null,
      !last && !mine ? 'You have not approved any version of this text yet.' : null]);
    this.approveBtn.disabled = this.changesBtn.disabled = !may.signOff;
    this.carry.render(latest, last);
    if (this.carry.el.hidden) this.approveBtn.removeAttribute('aria-describedby');
    else this.approveBtn.setAttribute('aria-describedby', 'carry-summary');
  }

  renderSigning(st, r, latest) {
    const room = this.room;
    this.signing.hidden = !room.may.isSignatory || !latest;
    if (this.signing.hidden) return;
    const signed = r.signatures[room.user.party];
    this.signBtn.textContent = `Sign version ${latest.version}`;
    this.signBtn.disabled = !room.may.sign;
    this.signBtn.hidden = !!signed;
    this.withdrawBtn.hidden = !room.may.withdrawSignature;
    if (this.withdrawDialog.open && !room.may.withdrawSignature) this.withdrawDialog.close();
    update(this.signInfo, JSON.stringify([signed, r.status, r.version, latest.sha256]), () => [
      signed && r.status !== 'signed' ? [`${room.user.party} has signed version ${r.version}. While this signature stands, no new version can be proposed. `,
        'If the text must change, withdraw the signature, saying why.'] :
      signed ? `${room.user.party} has signed version ${r.version}.` :
        r.status === 'ready_to_sign' ? ['Ready to sign: version ', String(latest.version), ', SHA-256 ', h('code', { class: 'hash-full' }, latest.sha256), '.']
          : `Signing opens when the status is “Ready to sign” (now: ${STATUS_LABEL[r.status]}).`]);
  }

  async signOff(decision) {
    const room = this.room;
    let ok = false;
    const latest = room.st.latest();
    this.reviewErr.clear();
    const vis = this.reviewVis.value();
    if (this.reviewBody.value.trim() && !vis) {
      this.reviewErr.show(`Choose who will see your comment: only ${room.user.party} (internal), or every party (shared).`);
      this.reviewVis.inputs.get('internal').focus();
      return;
    }
    const fields = { version: latest.version, sha256: latest.sha256, decision, visibility: vis || 'internal' };
    // an approval carries the review of the version listed above (carry.js)
    // (a repeated approval of the latest version carries from where the one it replaces did)
    const mine = room.st.signOffs.find((s) => s.user === room.user.id && s.version === latest.version);
    const again = mine && mine.decision === 'approve' && mine.carry ? mine.carry.from : 0;
    if (decision === 'approve' && (this.carry.from() || again)) fields.carried_from = this.carry.from() || again;
    if (this.reviewBody.value.trim()) fields.body = this.reviewBody.value;
    this.approveBtn.disabled = this.changesBtn.disabled = true;
    try {
      const res = await room.run('sign_off', fields);
      this.reviewBody.value = '';
      this.reviewVis.set(null); // each comment: its reviewer chooses again
      this.showAudience();
      ok = true;
      if (res && res.readiness) room.st.setReadiness(res.readiness);
      await room.settle(() => room.st.signOffs.some((s) => s.user === room.user.id && s.version === latest.version && s.decision === decision));
    } catch (err) {
      this.reviewErr.show(err);
    } finally {
      room.render();
      // the focus stays on the review: its summary of the decision
      if (ok) { this.since.tabIndex = -1; this.since.focus(); }
    }
  }

  confirmSign() {
    const room = this.room;
    const latest = room.st.latest();
    this.signErr.clear();
    replace(this.dialogText,
      h('p', null, `Sign version ${latest.version} on behalf of ${room.st.partyName(room.user.party)}?`),
      h('p', null, 'SHA-256 ', h('code', { class: 'hash-full' }, latest.sha256)),
      h('p', null, 'While your signature stands, no new version can be proposed; until every party has signed, you can withdraw it, saying why. When every party has signed, the text is frozen for good.'));
    this.pendingSign = { version: latest.version, sha256: latest.sha256 };
    this.dialog.showModal();
    this.cancelSign.focus();
  }

  async sign() {
    const room = this.room;
    this.dialog.close();
    this.signBtn.disabled = true;
    try {
      const res = await room.run('sign', this.pendingSign);
      if (res && res.readiness) room.st.setReadiness(res.readiness);
      await room.settle(() => room.st.signatures.some((s) => s.party === room.user.party && s.version === this.pendingSign.version));
    } catch (err) {
      this.signErr.show(err);
    } finally {
      room.render();
      this.signInfo.focus(); // not the page: the sign button may be gone
    }
  }

  confirmWithdraw() {
    const room = this.room;
    const latest = room.st.latest();
    const mine = room.st.signatureOf(room.user.party);
    this.withdrawErr.clear();
    this.signErr.clear();
    replace(this.withdrawText,
      h('p', null, `Withdraw ${room.st.partyName(room.user.party)}’s signature of version ${latest.version}?`),
      mine ? h('p', null, `Signed by ${room.st.userName(mine.user)}, `, when(mine.at), '.') : null,
      h('p', null, 'SHA-256 ', h('code', { class: 'hash-full' }, latest.sha256)),
      h('p', null, 'Every party sees that it was withdrawn and why. New versions can then be proposed again; the text will need approvals and signatures anew.'));
    this.pendingWithdraw = { version: latest.version };
    this.withdrawDialog.showModal();
    this.withdrawReason.focus();
  }

  async withdraw() {
    const room = this.room;
    const body = this.withdrawReason.value;
    if (!body.trim()) {
      this.withdrawErr.show('Give the reason for withdrawing first; every party will see it.');
      this.withdrawReason.focus();
      return;
    }
    this.withdrawConfirm.disabled = true;
    try {
      const res = await room.run('withdraw_signature', { ...this.pendingWithdraw, body });
      if (res && res.readiness) room.st.setReadiness(res.readiness);
      this.withdrawDialog.close();
      this.withdrawReason.value = '';
      announce(`${room.user.party}’s signature withdrawn.`);
      await room.settle(() => !room.st.signatureOf(room.user.party));
      room.render();
      this.signInfo.focus();
    } catch (err) {
      this.withdrawErr.show(err);
    } finally {
      this.withdrawConfirm.disabled = false;
      room.render();
    }
  }
}
