// A media file's way into a question: the command API offers a presigned POST, the browser
// sends the file straight to the object store (XMLHttpRequest: fetch reports no upload
// progress), then the command API checks what was stored and keeps or deletes it.
import type { UploadForm } from "../../api/commandApi.generated";

/** What a question may show: the command API's MEDIA_TYPES (it checks again). */
export const MEDIA_ACCEPT =
  "image/png,image/jpeg,image/gif,image/webp,audio/mpeg,audio/ogg,audio/wav,audio/webm";

export class StoreRefused extends Error {}

/** The store's refusal is S3's XML error; its Message (e.g. "Your proposed upload exceeds
 * the maximum allowed size") is what the teacher can act on. */
function storeMessage(status: number, body: string): string {
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return `The file store refused the file${message ? `: ${message}` : ` (${status})`}.`;
}

/** POSTs the signed fields, then the file, to the form's URL; `progress` gets 0 to 100. */
export function sendToStore(
  form: UploadForm,
  file: File,
  progress: (percent: number) => void,
): Promise<void> {
  const body = new FormData();
  // The signed fields (key, Content-Type, policy, signature) as given.
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append("file", file); // the policy's file comes last
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) progress(Math.round((100 * e.loaded) / e.total));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        progress(100);
        resolve();
      } else reject(new StoreRefused(storeMessage(xhr.status, xhr.responseText)));
    };
    xhr.onerror = () =>
      reject(new StoreRefused("The file store cannot be reached. Check the connection."));
    xhr.send(body);
  });
}
