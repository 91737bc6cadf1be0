// The trainee's check-in page and the class-site form, progressively enhanced (the forms work without this):
// - [data-geolocate]: fills the hidden latitude/longitude/accuracy inputs from the phone's position;
// - the photo input: shrinks the photo to at most 1280 px as JPEG before upload when the browser can.
// Written in ES5 for old Android browsers. Images are read as data: URLs, which the CSP allows (blob: is not).
(function () {
  "use strict";
  var MAX_SIDE = 1280;

  function locate(onPosition, onError) {
    navigator.geolocation.getCurrentPosition(onPosition, onError, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  function setStatus(element, text, isOk) {
    element.textContent = text;
    element.className = "status " + (isOk ? "ok" : "warn");
  }

  var form = document.getElementById("check-in-form");
  if (form) {
    var status = document.getElementById("location-status");
    if (navigator.geolocation) {
      setStatus(status, "正在获取位置……请在浏览器询问时选择“允许”。", true);
      locate(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.accuracy.value = Math.round(position.coords.accuracy);
        setStatus(status, "已获取位置（精度约 " + Math.round(position.coords.accuracy) + " 米）。", true);
      }, function (error) {
        var why = error.code === 1 ? "您没有允许获取位置" : "暂时无法获取位置";
        setStatus(status, why + "：可以继续签到，但本次签到会标记为“无位置”，需人社部门核实。", false);
      });
    }

    var submit = document.getElementById("check-in-submit");
    var input = form.elements.photo;
    var preview = document.getElementById("photo-preview");
    var photoStatus = document.getElementById("photo-status");
    var canShrink = input && window.FileReader && window.DataTransfer && window.File &&
      window.HTMLCanvasElement && HTMLCanvasElement.prototype.toBlob;
    if (canShrink) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        if (!file || input.getAttribute("data-shrunk") === "1") {
          input.removeAttribute("data-shrunk");
          return;
        }
        submit.disabled = true;
        photoStatus.textContent = "正在处理照片……";
        var reader = new FileReader();
        reader.onload = function () {
          var image = new Image();
          image.onload = function () {
            var scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
            var canvas = document.createElement("canvas");
            canvas.width = Math.round(image.width * scale);
            canvas.height = Math.round(image.height * scale);
            canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
            canvas.toBlob(function (blob) {
              if (blob && blob.size < file.size) {
                try {
                  var transfer = new DataTransfer();
                  transfer.items.add(new File([blob], "photo.jpg", { type: "image/jpeg" }));
                  input.setAttribute("data-shrunk", "1");
                  input.files = transfer.files;
                } catch (ignored) {
                  // This browser cannot replace the chosen file: the original is sent (the server shrinks it).
                }
              }
              preview.src = canvas.toDataURL("image/jpeg", 0.5);
              preview.hidden = false;
              photoStatus.textContent = "照片已准备好（" + Math.round(input.files[0].size / 1024) + " KB）。";
              submit.disabled = false;
            }, "image/jpeg", 0.8);
          };
          image.onerror = function () {
            photoStatus.textContent = "这个文件不是照片，请重新拍摄。";
            submit.disabled = false;
          };
          image.src = reader.result;
        };
        reader.readAsDataURL(file);
      });
    }
    form.addEventListener("submit", function () {
      submit.disabled = true;
      submit.textContent = "正在提交……";
    });
  }

  var siteButton = document.getElementById("use-my-position");
  if (siteButton && navigator.geolocation) {
    var siteStatus = document.getElementById("position-status");
    siteButton.hidden = false;
    siteButton.addEventListener("click", function () {
      siteStatus.textContent = "正在获取位置……";
      locate(function (position) {
        document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
        siteStatus.textContent = "已填入当前位置（精度约 " + Math.round(position.coords.accuracy) + " 米），请核对后保存。";
      }, function () {
        siteStatus.textContent = "无法获取当前位置，请手工填写经纬度。";
      });
    });
  }
})();
