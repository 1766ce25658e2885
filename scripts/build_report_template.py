"""Write the default Word template of the committee's report, for the office to restyle.

    python scripts/build_report_template.py [FILE]

FILE defaults to the configured template (data/mau-bao-cao-ket-qua.docx, or
$PROGRESS_REPORT_TEMPLATE); an existing file is kept unless --force is given. Open it in
Word, change the styles named "BC ..." (font, size, spacing, indent) and the margins,
save it under the same name: every report is then written with it. See docs/REPORT.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.report import template  # noqa: E402
from etl.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path,
                        default=Settings.from_env().report_template_path)
    parser.add_argument("--force", action="store_true", help="ghi đè tệp đã có")
    args = parser.parse_args()
    if args.file.exists() and not args.force:
        print(f"Đã có {args.file}: giữ nguyên (thêm --force để ghi đè).", file=sys.stderr)
        return 1
    args.file.parent.mkdir(parents=True, exist_ok=True)
    args.file.write_bytes(template.default_bytes())
    print(f"Đã ghi mẫu trình bày báo cáo kết quả: {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
