"""Dữ liệu mẫu: the sample reports for a first look, taken out when real use begins."""
import streamlit as st

from dashboard import fmt, ui
from etl import sample_data, usecases
from etl.users import AuthError
from etl.vocab import Permission

user = ui.page(Permission.MANAGE_SAMPLES)
store = ui.store()

ui.page_header("Dữ liệu mẫu: xem thử, rồi gỡ khi bắt đầu dùng thật", stop_when_empty=False)
st.caption("Báo cáo mẫu là số liệu bịa ra để xem thử, đánh dấu DỮ LIỆU MẪU trên mọi trang và "
           "tệp xuất. Gỡ dữ liệu mẫu chỉ xóa các báo cáo mẫu và tệp gốc của chúng; báo cáo "
           "thật, tài khoản và nhật ký thao tác giữ nguyên. Mọi lần gỡ, nạp đều ghi nhật ký.")

if result := st.session_state.pop("samples_result", None):
    kind, text = result
    (st.success if kind == "success" else st.error)(text)


def removed_text(removed: sample_data.Removed) -> str:
    text = (f"Đã gỡ {fmt.number(len(removed.submission_ids))} báo cáo mẫu "
            f"({fmt.number(removed.rows)} dòng nhiệm vụ, {fmt.number(len(removed.unused_files))} tệp gốc).")
    if removed.reinstated:
        text += (" Báo cáo thật hiện hành trở lại: "
                 + ", ".join(f"#{i}" for i in removed.reinstated) + ".")
    return text


def loaded_text(loaded: usecases.SamplesLoaded) -> str:
    text = (f"Đã nạp {fmt.number(sum(o.changed for o in loaded.outcomes))} tệp mẫu"
            + (f", {fmt.number(loaded.already_loaded)} tệp đã có từ trước" if loaded.already_loaded else "")
            + ".")
    for name, why in loaded.skipped:
        text += f"  \nBỏ qua {ui.plain(name)}: {ui.plain(why)}."
    return text


def run(action, describe) -> None:
    try:
        outcome = action()
    except AuthError as exc:
        st.session_state["samples_result"] = ("error", str(exc))
    else:
        ui.data_changed()
        st.session_state["samples_result"] = ("success", describe(outcome))
    st.session_state.pop("samples_confirm", None)
    st.rerun()


count = sample_data.count_samples(store)
if count:
    st.markdown(f"Cơ sở dữ liệu đang có **{fmt.number(count)} báo cáo mẫu**.")
    if not st.session_state.get("samples_confirm"):
        st.button("Gỡ dữ liệu mẫu", type="primary", icon=":material/delete_sweep:",
                  key="ask_remove_samples",
                  on_click=lambda: st.session_state.update(samples_confirm=True))
    else:
        st.warning(f"Gỡ {fmt.number(count)} báo cáo mẫu khỏi cơ sở dữ liệu? Biểu đồ sẽ chỉ còn "
                   "số liệu của báo cáo thật. Có thể nạp lại dữ liệu mẫu sau.")
        row = st.container(horizontal=True)
        if row.button("Xác nhận gỡ", type="primary", key="confirm_remove_samples"):
            with st.spinner("Đang gỡ dữ liệu mẫu…"):
                run(lambda: usecases.remove_samples(store, user), removed_text)
        if row.button("Hủy", key="cancel_remove_samples"):
            st.session_state.pop("samples_confirm", None)
            st.rerun()
else:
    st.markdown("Cơ sở dữ liệu **không có báo cáo mẫu** nào.")
    st.caption("Nạp lại dữ liệu mẫu để xem thử hoặc hướng dẫn người dùng; dữ liệu mẫu không bao "
               "giờ nạp vào chi bộ và kỳ đã có báo cáo thật.")
    if st.button("Nạp dữ liệu mẫu", icon=":material/science:", key="load_samples"):
        with st.spinner("Đang nạp dữ liệu mẫu…"):
            run(lambda: usecases.load_samples(store, user), loaded_text)
