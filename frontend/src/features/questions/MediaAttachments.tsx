import { useEffect, useRef, useState, type ChangeEvent } from "react";
import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  FormHelperText,
  LinearProgress,
  Stack,
  TextField,
  Typography,
  type SxProps,
} from "@mui/material";
import {
  useConfirmUploadV1MediaMediaIdConfirmPostMutation,
  useOfferUploadV1MediaPostMutation,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { queryApi, useMediaLinkV1MediaMediaIdGetQuery } from "../../api/queryApi.generated";
import { MediaFile } from "../shared";
import { MEDIA_ACCEPT, StoreRefused, sendToStore } from "./media";

/**
 * A stored image or audio file, through a short-lived URL (read again before it expires).
 * A file confirmed a moment ago may not be in the read model yet: it is asked for again.
 * `alt`: the question's text alternative for it ("" for a decorative image); without one,
 * its file name is all there is to say.
 */
export function MediaView({ mediaId, alt, sx }: { mediaId: string; alt?: string; sx?: SxProps }) {
  const [gaveUp, setGaveUp] = useState(false);
  const cached = queryApi.endpoints.mediaLinkV1MediaMediaIdGet.useQueryState({ mediaId });
  const { data } = useMediaLinkV1MediaMediaIdGetQuery(
    { mediaId },
    // A URL lasts 5 minutes: read a new one before. Until the file is listed: every second.
    { pollingInterval: cached.data ? 4 * 60_000 : gaveUp ? 0 : 1000 },
  );
  useEffect(() => {
    if (data) return;
    const timer = setTimeout(() => setGaveUp(true), 30_000);
    return () => clearTimeout(timer);
  }, [data]);
  if (!data) {
    return (
      <Typography variant="body2" color="text.secondary" role="status">
        {gaveUp ? "This file cannot be shown." : "Loading the file…"}
      </Typography>
    );
  }
  return (
    <MediaFile
      contentType={data.content_type}
      url={data.url}
      alt={alt ?? data.filename}
      audioLabel={data.filename}
      sx={sx}
    />
  );
}

// What a refusal of an upload names: the file's type, size or name, none typed by the teacher.
const UPLOAD_FIELDS = ["content_type", "size_bytes", "filename", "file"];

function refusalOf(error: Parameters<typeof problemsOf>[0]): string {
  const problems = problemsOf(error, UPLOAD_FIELDS);
  return Object.values(problems.byField)[0] ?? problems.general ?? "The upload was refused.";
}

/**
 * The editor's media: upload (with progress), the files attached, each with its text
 * alternative (or marked decorative) and removable.
 */
export function MediaAttachments({
  mediaIds,
  onChange,
  descriptions = {},
  onDescribe = () => undefined,
  descriptionProblem = () => undefined,
  problem,
  readOnly = false,
}: {
  mediaIds: string[];
  onChange: (ids: string[]) => void;
  /** By media id: absent while undescribed, "" when decorative. */
  descriptions?: Record<string, string>;
  /** A new description, "" for decorative, or undefined for undescribed. */
  onDescribe?: (mediaId: string, description: string | undefined) => void;
  descriptionProblem?: (mediaId: string) => string | undefined;
  problem?: string;
  readOnly?: boolean;
}) {
  const [offer] = useOfferUploadV1MediaPostMutation();
  const [confirm] = useConfirmUploadV1MediaMediaIdConfirmPostMutation();
  const [percent, setPercent] = useState<number | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = ""; // the same file may be chosen again after a refusal
    if (!file) return;
    setRefusal(null);
    setPercent(0);
    try {
      const offered = await offer({
        uploadIn: { filename: file.name, content_type: file.type, size_bytes: file.size },
        "Idempotency-Key": newCommandId(),
      });
      if (offered.error || !offered.data?.upload) {
        setRefusal(refusalOf(offered.error));
        return;
      }
      await sendToStore(offered.data.upload, file, setPercent);
      const mediaId = offered.data.media_id;
      const confirmed = await confirm({ mediaId, "Idempotency-Key": newCommandId() });
      if (confirmed.error) {
        setRefusal(refusalOf(confirmed.error));
        return;
      }
      onChange([...mediaIds, mediaId]);
    } catch (error) {
      setRefusal(error instanceof StoreRefused ? error.message : String(error));
    } finally {
      setPercent(null);
    }
  }

  const message = refusal ?? problem;
  return (
    <Box>
      {mediaIds.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          No image or audio file yet.
        </Typography>
      )}
      <Stack component="ul" spacing={1} sx={{ listStyle: "none", p: 0, m: 0 }}>
        {mediaIds.map((id, i) => {
          const described = descriptions[id];
          const decorative = described === "";
          const fault = descriptionProblem(id);
          const hint = decorative
            ? "Decorative: screen readers pass over it."
            : described === undefined
              ? "Not described yet: a student who cannot see or hear it gets only its file name."
              : "Read to students who cannot see or hear the file.";
          return (
            <Stack
              component="li"
              key={id}
              direction={{ xs: "column", sm: "row" }}
              spacing={2}
              sx={{ alignItems: { sm: "flex-start" } }}
            >
              <MediaView mediaId={id} alt={described} sx={{ maxHeight: 96, maxWidth: 240 }} />
              <Box sx={{ flexGrow: 1 }}>
                <TextField
                  id={`q-media_alt-${i}`}
                  label={`Text alternative for file ${i + 1}`}
                  placeholder="What the image shows, or what the audio says"
                  value={described ?? ""}
                  onChange={(e) => onDescribe(id, e.target.value || undefined)}
                  disabled={decorative && !readOnly}
                  slotProps={{ input: { readOnly } }}
                  multiline
                  fullWidth
                  size="small"
                  error={Boolean(fault)}
                  helperText={fault ?? hint}
                />
                {!readOnly && (
                  <FormControlLabel
                    control={
                      <Checkbox
                        checked={decorative}
                        onChange={(e) => onDescribe(id, e.target.checked ? "" : undefined)}
                      />
                    }
                    label={`File ${i + 1} is decorative (nothing to describe)`}
                  />
                )}
              </Box>
              {!readOnly && (
                <Button
                  size="small"
                  color="error"
                  aria-label={`Remove file ${i + 1}`}
                  onClick={() => onChange(mediaIds.filter((m) => m !== id))}
                  sx={{ alignSelf: { xs: "flex-start", sm: "center" } }}
                >
                  Remove
                </Button>
              )}
            </Stack>
          );
        })}
      </Stack>
      {!readOnly && (
        <Box sx={{ mt: 1 }}>
          <input
            ref={input}
            id="q-media-file"
            type="file"
            accept={MEDIA_ACCEPT}
            onChange={upload}
            hidden
            aria-describedby="q-media_ids-helper-text"
          />
          <Button
            variant="outlined"
            onClick={() => input.current?.click()}
            disabled={percent !== null}
            aria-describedby="q-media-hint q-media_ids-helper-text"
          >
            Upload an image or audio file
          </Button>
          <FormHelperText id="q-media-hint">
            PNG, JPEG, GIF or WebP images up to 5 MB; MP3, Ogg, WAV or WebM audio up to 20 MB.
          </FormHelperText>
          {percent !== null && (
            <Box sx={{ mt: 1 }}>
              <LinearProgress variant="determinate" value={percent} aria-label="Upload progress" />
              <Typography variant="body2" role="status">
                Uploading… {percent}%
              </Typography>
            </Box>
          )}
        </Box>
      )}
      <FormHelperText error role={message ? "alert" : undefined} id="q-media_ids-helper-text">
        {message}
      </FormHelperText>
    </Box>
  );
}
