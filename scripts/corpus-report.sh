#!/usr/bin/env bash
# Corpus figures for docs/REDACTION.md: every file under the corpus (recursively), scrubbed by
# `tipintake redact` (release build), by `exiftool -all=` and, if installed, by mat2. Per format
# and tool: files tried, scrubbed, refused (by reason), outputs in which exiftool still finds an
# identifying tag, outputs whose decoded pixels differ (ImageMagick SHA-256 of every frame,
# equivalent to `compare -metric AE` = 0), and outputs whose orientation changed.
#
#   scripts/corpus-report.sh [CORPUS_DIR]       (default: $TIPLINE_CORPUS/exif-samples or
#                                                ../shared/corpus/exif-samples beside the repo)
#   TIPINTAKE=path/to/tipintake   use that binary instead of building one
#   KEEP=1                        keep the work directory (printed) for a look
#
# Needs exiftool and ImageMagick (scripts/install-deps.sh); mat2 is optional.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-}
if [[ -z $corpus ]]; then
  for c in "${TIPLINE_CORPUS:-}" ../shared/corpus ../../shared/corpus; do
    [[ -n $c && -d $c/exif-samples ]] && { corpus=$c/exif-samples; break; }
  done
fi
[[ -n $corpus && -d $corpus ]] || { echo "corpus-report: no corpus found; pass its directory" >&2; exit 2; }
for tool in exiftool identify; do
  command -v $tool >/dev/null || { echo "corpus-report: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
if [[ -z ${TIPINTAKE:-} ]]; then
  swift build -c release --product tipintake >&2
  TIPINTAKE="$(swift build -c release --show-bin-path)/tipintake"
fi
have_mat2=0; command -v mat2 >/dev/null && have_mat2=1

work=$(mktemp -d -t tipline-corpus.XXXXXX)
if [[ ${KEEP:-0} == 1 ]]; then echo "corpus-report: work directory $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work"/{in,tipline,exiftool,mat2}

# The format a file really is, from its first bytes (never its name).
sniff() {
  local hex; hex=$(head -c 12 "$1" | od -An -tx1 | tr -d ' \n')
  case $hex in
    ffd8ff*) echo jpeg ;; 89504e470d0a1a0a*) echo png ;; 474946383*) echo gif ;;
    52494646????????57454250*) echo webp ;; 49492a00* | 4d4d002a*) echo tiff ;;
    ????????66747970*) echo heif ;; *) echo not-an-image ;;
  esac
}

# 1. Stage every file under a neutral numbered name (mat2 picks its parser by extension, so keep it).
: >"$work/files.tsv"
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1)); id=$(printf '%03d' $n)
  name=${f##*/}; ext=${name##*.}; [[ $ext == "$name" ]] && ext=bin
  ext=${ext,,}
  cp "$f" "$work/in/$id.$ext"
  printf '%s\t%s\t%s\t%s\n' "$id" "$ext" "$(sniff "$f")" "${f#"$corpus"/}" >>"$work/files.tsv"
done < <(find "$corpus" -type f -print0 | sort -z)

# Refusal reason in a few words, from each tool's own message.
tipline_reason() {
  case $1 in
    *"not a supported image"*) echo "not an image" ;; *"not accepted"*) echo "format not accepted" ;;
    *"ends early"*) echo truncated ;; *"is malformed"*) echo malformed ;;
    *"cannot scrub safely"*) echo "unsupported layout" ;; *"could not be made safe"*) echo "verification failed" ;;
    *"is empty"*) echo empty ;; *) echo other ;;
  esac
}

# 2. Tipline, one `tipintake redact` per file, as intake would see each upload.
: >"$work/tipline.tsv"
while IFS=$'\t' read -r id ext fmt rel; do
  if "$TIPINTAKE" redact "$work/in/$id.$ext" -o "$work/tipline/$id.$ext" --json >/dev/null 2>"$work/err"; then
    printf '%s\tok\t-\n' "$id" >>"$work/tipline.tsv"
  else
    printf '%s\trefused\t%s\n' "$id" "$(tipline_reason "$(cat "$work/err")")" >>"$work/tipline.tsv"
    printf 'tipline\t%s\t%s\n' "$rel" "$(sed 's/^tipintake: error: [^:]*: //' "$work/err" | head -1)" >>"$work/refusals.txt"
  fi
done <"$work/files.tsv"

# 3. exiftool -all=, one process for the batch, as an agency might run it.
exiftool -all= -o "$work/exiftool/" "$work"/in/* >/dev/null 2>"$work/exiftool.err" || true
# 4. mat2 on copies (it writes NAME.cleaned.EXT beside each).
if ((have_mat2)); then
  cp "$work"/in/* "$work/mat2/"
  mat2 "$work"/mat2/* >"$work/mat2.out" 2>&1 || true
fi
: >"$work/exiftool.tsv"; : >"$work/mat2.tsv"
while IFS=$'\t' read -r id ext fmt rel; do
  if [[ -s $work/exiftool/$id.$ext ]]; then
    printf '%s\tok\t-\n' "$id" >>"$work/exiftool.tsv"
  else
    why=$(grep -F "$id.$ext" "$work/exiftool.err" | head -1 | sed -E 's/^(Error|Warning): //; s/ - \/.*$//')
    printf '%s\trefused\t%s\n' "$id" "$(echo "${why:-no output}" | cut -c1-40)" >>"$work/exiftool.tsv"
    printf 'exiftool\t%s\t%s\n' "$rel" "${why:-no output}" >>"$work/refusals.txt"
  fi
  if ((have_mat2)); then
    if [[ -s $work/mat2/$id.cleaned.$ext ]]; then
      mv "$work/mat2/$id.cleaned.$ext" "$work/mat2/$id.out.$ext"
      printf '%s\tok\t-\n' "$id" >>"$work/mat2.tsv"
    else
      why=$(grep -F "$id.$ext" "$work/mat2.out" | head -1 | sed -E 's/^\[-\] //; s/.*'"$id.$ext"'[^ ]* ?//')
      printf '%s\trefused\t%s\n' "$id" "$(echo "${why:-no output}" | cut -c1-40)" >>"$work/mat2.tsv"
      printf 'mat2\t%s\t%s\n' "$rel" "${why:-no output}" >>"$work/refusals.txt"
    fi
  fi
done <"$work/files.tsv"

# Outputs to judge, as "tool<TAB>id<TAB>path".
: >"$work/outputs.tsv"
while IFS=$'\t' read -r id ext fmt rel; do
  printf 'input\t%s\t%s\n' "$id" "$work/in/$id.$ext" >>"$work/outputs.tsv"
  [[ -s $work/tipline/$id.$ext ]] && printf 'tipline\t%s\t%s\n' "$id" "$work/tipline/$id.$ext" >>"$work/outputs.tsv"
  [[ -s $work/exiftool/$id.$ext ]] && printf 'exiftool\t%s\t%s\n' "$id" "$work/exiftool/$id.$ext" >>"$work/outputs.tsv"
  [[ -s $work/mat2/$id.out.$ext ]] && printf 'mat2\t%s\t%s\n' "$id" "$work/mat2/$id.out.$ext" >>"$work/outputs.tsv"
done <"$work/files.tsv"
cut -f3 "$work/outputs.tsv" >"$work/paths.txt"

# 5. What exiftool still finds: identifying tags only (location, device and serials, maker notes,
#    thumbnails and previews, XMP, IPTC/Photoshop, comments, authorship, capture and edit dates,
#    software). Orientation: EXIF IFD0 Orientation, or for HEIF the `irot` rotation.
exiftool -s -G0:1 -a -u -n -@ "$work/paths.txt" >"$work/tags.txt" 2>/dev/null || true
awk -v mapfile="$work/outputs.tsv" '
  BEGIN { while ((getline line < mapfile) > 0) { split(line, p, "\t"); key[p[3]] = p[1] "\t" p[2] } }
  function flush() { if (file != "") print key[file] "\t" (leaks == "" ? "-" : substr(leaks, 2)) "\t" orient "\t" rot }
  /^======== / { flush(); file = substr($0, 10); leaks = ""; orient = 1; rot = 0; next }
  match($0, /^\[[^]]*\]/) {
    group = substr($0, 2, RLENGTH - 2); split(group, g, ":")
    rest = substr($0, RLENGTH + 1); sub(/^ +/, "", rest)
    tag = rest; sub(/ .*/, "", tag)
    value = rest; sub(/^[^:]*: /, "", value)
    if (g[1] == "EXIF" && g[2] == "IFD0" && tag == "Orientation") orient = value
    if (tag == "Rotation") rot = value
    bad = 0
    if (g[1] ~ /^(MakerNotes|XMP|IPTC|Photoshop)$/) bad = 1
    if (g[1] !~ /^(ExifTool|ICC_Profile)$/ && g[2] != "System" && tag ~ /^(GPS.*|Make|Model|.*Serial.*|MakerNote.*|Thumbnail.*|PreviewImage|OtherImage|Comment|UserComment|ImageDescription|Artist|Copyright|Owner.*|CameraOwnerName|XPAuthor|XPComment|By-line|Creator|DateTimeOriginal|CreateDate|DateTimeDigitized|ModifyDate|SubSecTime.*|OffsetTime.*|ImageUniqueID|HostComputer|Software|Lens(Make|Model))$/) bad = 1
    if (bad && index(leaks ",", "," tag ",") == 0) leaks = leaks "," tag
  }
  END { flush() }
' "$work/tags.txt" >"$work/judged.tsv"

# 6. Decoded pixels, every frame: one identify per file, so one that fails stops no other.
xargs -d '\n' -n 1 identify -quiet -format '%i|%#\n' <"$work/paths.txt" >"$work/pixels.txt" 2>/dev/null || true

# 7. The table.
awk -v have_mat2=$have_mat2 \
    -v files="$work/files.tsv" -v judged="$work/judged.tsv" -v pixels="$work/pixels.txt" -v outputs="$work/outputs.tsv" '
  BEGIN {
    FS = "\t"
    while ((getline l < files) > 0) { split(l, p, "\t"); fmt[p[1]] = p[3]; ids[++nid] = p[1]; formats[p[3]] = 1 }
    while ((getline l < outputs) > 0) { split(l, p, "\t"); who[p[3]] = p[1] "\t" p[2] }
    while ((getline l < pixels) > 0) { split(l, p, "|"); sig[who[p[1]]] = sig[who[p[1]]] p[2] ";" }
    while ((getline l < judged) > 0) { split(l, p, "\t"); k = p[1] "\t" p[2]; leak[k] = p[3]; ori[k] = p[4] "/" p[5] }
    ntools = have_mat2 ? 3 : 2; tools[1] = "tipline"; tools[2] = "exiftool"; tools[3] = "mat2"
    label["tipline"] = "Tipline"; label["exiftool"] = "exiftool -all="; label["mat2"] = "mat2"
    for (t = 1; t <= ntools; t++) {
      tool = tools[t]
      while ((getline l < (ARGV[t])) > 0) { split(l, p, "\t"); status[tool, p[1]] = p[2]; reason[tool, p[1]] = p[3] }
    }
    print "| Format | Tool | Files | Scrubbed | Refused (reasons) | Leaks | Pixel changes | Orientation changes |"
    print "|---|---|---|---|---|---|---|---|"
    split("jpeg png gif webp heif tiff not-an-image", order, " ")
    for (o = 1; o <= 7; o++) {
      f = order[o]; if (!(f in formats)) continue
      inputs = 0; withmeta = 0
      for (i = 1; i <= nid; i++) if (fmt[ids[i]] == f) { inputs++; if (leak["input\t" ids[i]] != "-" && leak["input\t" ids[i]] != "") withmeta++ }
      for (t = 1; t <= ntools; t++) {
        tool = tools[t]; ok = 0; ref = 0; leaks = 0; pix = 0; undec = 0; orc = 0; delete why
        for (i = 1; i <= nid; i++) {
          id = ids[i]; if (fmt[id] != f) continue
          if (status[tool, id] != "ok") { ref++; why[reason[tool, id]]++; continue }
          ok++; k = tool "\t" id
          if (leak[k] != "-") leaks++
          a = sig["input\t" id]; b = sig[k]
          if (a == "") undec++; else if (a != b) pix++
          split(ori["input\t" id], oi, "/"); split(ori[k], oo, "/")
          if (f == "heif" ? oi[2] != oo[2] : oi[1] != oo[1]) orc++
        }
        reasons = ""; for (r in why) reasons = reasons (reasons == "" ? "" : ", ") why[r] " " r
        printf "| %s | %s | %d%s | %d | %d%s | %d | %d%s | %d |\n", (t == 1 ? f : ""), label[tool], inputs,
          (t == 1 && f != "not-an-image" ? " (" withmeta " with identifying tags)" : ""), ok, ref,
          (reasons == "" ? "" : " (" reasons ")"), leaks, pix, (undec ? " (" undec " inputs undecodable)" : ""), orc
      }
    }
  }
' "$work/tipline.tsv" "$work/exiftool.tsv" "$work/mat2.tsv"

echo
echo "Leaked tags by tool (how many outputs still carry each):"
awk -F'\t' '$1 != "input" && $3 != "-" { n = split($3, t, ","); for (i = 1; i <= n; i++) c[$1 ": " t[i]]++ }
  END { for (k in c) printf "  %s (%d)\n", k, c[k] }' "$work/judged.tsv" | sort
echo
echo "Refused files:"
sort "$work/refusals.txt" | sed 's/^/  /'
echo
echo "($(wc -l <"$work/files.tsv") files from $corpus; $(date -u +%Y-%m-%d); exiftool $(exiftool -ver)$( ((have_mat2)) && echo ", mat2 $(mat2 --version | awk '{print $2}')"))"
