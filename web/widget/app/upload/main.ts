import { upload } from '../../../shared/upload.js';
import { adoptStyles } from '../../dom-style.js';
import type { ChatMessage } from '../types.js';
import type { UploadHost, UploadModule } from '../upload-contract.js';
import { IndexedFiles } from './file-db.js';
import { FileSender } from './file-sender.js';
import { PreviewStrip } from './preview-strip.js';
import { uploadStrings } from './upload-strings.js';
import { UPLOAD_CSS } from './upload-styles.js';

/** IndexedDB, or none where reading it throws (sandboxed frames, some private modes). */
function indexedDb(win: Window): IDBFactory | undefined {
  try {
    return win.indexedDB ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * `live-chat-upload.js`: the file code, loaded by the chat code on the first attach, paste or drop,
 * or when the outbox holds a file (docs/widget.md, "Attachments").
 */
function mount(host: UploadHost): UploadModule {
  adoptStyles(host.root, UPLOAD_CSS);
  const sender = new FileSender({
    bytes: new IndexedFiles(indexedDb(host.win)),
    server: host.server,
    token: host.token,
    fingerprint: host.fingerprint,
    progress: host.progress,
    upload: (request) => upload<{ message: ChatMessage }>(request),
  });
  void sender.prune(host.queued);
  const strip = new PreviewStrip(host.win, uploadStrings(host.strings), host.limits, () => host.composer.focus());
  host.form.before(strip.el);
  return {
    add: (files, pasted) => strip.add(files, pasted),
    staged: () => strip.count > 0,
    sendStaged(text, contact) {
      strip.take().forEach((staged, index) => {
        const id = host.newId();
        void sender.keep(id, staged.file);
        host.write(index === 0 ? text : '', contact, { client_message_id: id, file: { name: staged.name, size: staged.file.size, type: staged.file.type } });
      });
    },
    upload: (conversationId, item) => sender.send(conversationId, item),
  };
}

window.ParleyWidgetUpload = { mount };
