"""How each figure is computed, in the words the pages' help texts and the documents use."""
from __future__ import annotations

from etl.vocab import NO_REPORT, Status

DEFINITIONS = {
    "completion": ("Tỷ lệ hoàn thành của một phạm vi (chi bộ, nhiệm vụ trọng tâm, toàn Đảng bộ) "
                   "trong một kỳ = trung bình tỷ lệ hoàn thành của các nhiệm vụ đã báo cáo "
                   "trong các báo cáo hiện hành của phạm vi đó. Chi bộ chưa gửi báo cáo "
                   f"được ghi \"{NO_REPORT}\", không tính là 0%."),
    "rollup": ("Gộp tháng thành quý, 6 tháng, năm: tỷ lệ hoàn thành và trạng thái lấy theo "
               "báo cáo mới nhất trong kỳ của từng chi bộ, nhiệm vụ; số hoạt động, lượt người "
               "tham gia, tin bài được cộng dồn các báo cáo trong kỳ (báo cáo tháng nằm trong "
               "một báo cáo quý của cùng chi bộ không bị cộng hai lần)."),
    "completeness": ("Mức đầy đủ báo cáo = số nhiệm vụ được giao đã báo cáo / số nhiệm vụ "
                     "được giao."),
    "open_obstacle": ("Khó khăn chưa giải quyết: nhiệm vụ có nêu khó khăn, vướng mắc và vẫn "
                      f"\"{Status.DELAYED.label}\" trong báo cáo mới nhất của chi bộ về nhiệm vụ đó."),
    "deadline": ("Đúng hạn / trễ hạn: ngày báo cáo (nếu không ghi thì ngày nạp) so với hạn "
                 "nộp, mặc định ngày 5 của tháng sau kỳ báo cáo."),
    "status_counts": ("Số lượt nhiệm vụ (chi bộ × nhiệm vụ được giao) theo trạng thái trong báo "
                      "cáo mới nhất của kỳ; nhiệm vụ được giao mà chưa có báo cáo là "
                      f"\"{NO_REPORT}\"."),
}
HELP_COMPLETION = DEFINITIONS["completion"] + "\n\n" + DEFINITIONS["rollup"]
